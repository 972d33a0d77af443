// Host-side network failures, one class per failure with a stable `code`.
import { WasmpodError } from '../errors.js';

/** The cluster range (`podCIDR`) is not an IPv4 CIDR with room for pods. */
export class PodCidrError extends WasmpodError {
  readonly code = 'ERR_POD_CIDR';
}

/** Every address of the cluster range is taken. */
export class PodIpExhaustedError extends WasmpodError {
  readonly code = 'ERR_POD_IP_EXHAUSTED';
}

/** Nothing listens on that port of the pod (or its backlog is full): the host side of ECONNREFUSED. */
export class PodConnectionRefusedError extends WasmpodError {
  readonly code = 'ERR_POD_CONNECTION_REFUSED';
}

/** A host port could not be opened for publishing or port-forwarding (in use, not permitted, bad address). */
export class HostPortError extends WasmpodError {
  readonly code = 'ERR_HOST_PORT';
}

/** A `--publish` value that is not `[IP:]HOST:POD`. */
export class PublishSpecError extends WasmpodError {
  readonly code = 'ERR_PUBLISH_SPEC';
}
