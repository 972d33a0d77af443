// The network's public API: streams into a pod from the host, port-forwarding and publishing, the cluster's types.
import type { PodHandle } from '../pod/pod-handle.js';
import { openPodStream as openStream, type PodStream } from './pod-stream.js';
import { publishPort, type PublishedPort } from './publish.js';

export { ClusterNetwork, DEFAULT_POD_CIDR } from './cluster-network.js';
export type { PodNetwork } from './pod-network.js';
export { PodStream, type StreamVia } from './pod-stream.js';
export { parsePublish, type PublishSpec, type PublishedPort } from './publish.js';
export * from './errors.js';

/**
 * Opens a TCP-like stream from the host into `port` of a running pod, over the pod's loopback as
 * `kubectl port-forward` does: a Node Duplex (write, end() for a half-close, 'data', 'end').
 * Throws PodConnectionRefusedError when nothing in the pod listens there.
 */
export function openPodStream(pod: PodHandle, port: number): PodStream {
  return openStream(pod.network, port, 'loopback');
}

/**
 * Forwards `hostPort` on 127.0.0.1 (0 or absent: a free port, see the result's hostPort) to `port` of the
 * pod, as `kubectl port-forward` does, until close() or the pod ends.
 */
export function portForward(pod: PodHandle, port: number, hostPort = 0): Promise<PublishedPort> {
  return publishPort(pod.network, { hostPort, containerPort: port }, 'loopback');
}
