// Pods of the network test guest (wasm-modules/net-tests/nettool.wasm) and a way to run them and read their output.
import * as path from 'node:path';
import { MODULES } from './pods.js';

export const NETTOOL = path.join(MODULES, 'net-tests/nettool.wasm');
export const PREVIEW1_ECHO = path.join(MODULES, 'net-tests/preview1-echo.wasm');

export interface NetContainer {
  name: string;
  args: string[];
  ports?: { containerPort: number; protocol?: string; name?: string; hostPort?: number; hostIP?: string }[];
}

/** A pod of nettool containers, restartPolicy Never. */
export function netPod(name: string, containers: NetContainer[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: {
      restartPolicy: 'Never',
      containers: containers.map((c) => ({ image: NETTOOL, command: ['nettool'], ...c })),
      ...extra,
    },
  };
}
