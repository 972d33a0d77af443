// Runs one guest module as a one-container pod and collects its output: the harness of the shim tests.
import * as path from 'node:path';
import { Runtime } from '../../dist/src/index.js';
import { tempDir } from './temp-dir.js';

export interface GuestMount { hostPath: string; mountPath: string; readOnly?: boolean }
export interface GuestRunOptions {
  module: string;                 // path to a .wasm file
  command?: string[];             // the container's command: argv[0..] (default: the module's file name)
  args?: string[];                // argv after the command; argv[0] is the module's file name without a command
  env?: Record<string, string>;   // exactly the guest's environment
  mounts?: GuestMount[];          // hostPath volumes, preopened in this order from fd 3
  workingDir?: string;
  stdin?: string | Buffer;        // bytes the guest reads on fd 0, then EOF (default: EOF at once)
  timeoutMs?: number;             // the pod is deleted after this (default 30000)
}
export interface GuestRun {
  exitCode: number;
  reason: string;                 // Completed, Error, ...
  message?: string;               // the trap's message when the guest trapped
  stdout: string;
  stderr: string;
}

let shared: Runtime | undefined;
/** One runtime for a test file, as an embedder would keep one, with its state in a temp dir. */
export function testRuntime(): Runtime {
  shared ??= new Runtime({ stateDir: tempDir('wasmpod-test-') });
  return shared;
}

export async function runGuest(opts: GuestRunOptions): Promise<GuestRun> {
  const mounts = opts.mounts ?? [];
  const pod = await testRuntime().runPod({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: 'guest-' },
    spec: {
      restartPolicy: 'Never',
      volumes: mounts.map((m, i) => ({ name: `v${i}`, hostPath: { path: path.resolve(m.hostPath), type: 'Directory' } })),
      containers: [{
        name: 'guest',
        image: path.resolve(opts.module),
        ...(opts.command ? { command: opts.command } : {}),
        ...(opts.args ? { args: opts.args } : {}),
        env: Object.entries(opts.env ?? {}).map(([name, value]) => ({ name, value })),
        ...(opts.workingDir ? { workingDir: opts.workingDir } : {}),
        ...(opts.stdin !== undefined ? { stdin: true } : {}),
        volumeMounts: mounts.map((m, i) => ({ name: `v${i}`, mountPath: m.mountPath, readOnly: m.readOnly === true })),
      }],
    },
  });
  const out: Record<'stdout' | 'stderr', Buffer[]> = { stdout: [], stderr: [] };
  pod.on('output', (e) => out[e.stream].push(e.chunk));
  if (opts.stdin !== undefined) {
    await pod.writeStdin('guest', opts.stdin);
    pod.closeStdin('guest');
  }
  const timer = setTimeout(() => void pod.delete(), opts.timeoutMs ?? 30_000);
  const status = await pod.wait();
  clearTimeout(timer);
  const t = status.containerStatuses![0].state!.terminated!;
  return {
    exitCode: t.exitCode,
    reason: t.reason ?? '',
    message: t.message,
    stdout: Buffer.concat(out.stdout).toString('utf8'),
    stderr: Buffer.concat(out.stderr).toString('utf8'),
  };
}
