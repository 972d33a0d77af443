// A grpc probe on the Linux backend: the C health server, built natively, in a linux pod reached through the netns relay.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { findOnPath } from '../../dist/src/index.js';
import { busyboxRootfs, linuxRuntime, linuxSkip } from './helpers.js';
import { MODULES, until } from '../helpers/pods.js';
import { tempDir } from '../helpers/temp-dir.js';

const cc = findOnPath(['clang-16', 'clang', 'cc']);
/** The server as a static native program (wasmpod_socket.h falls back to the system's sockets off wasm). */
function buildNative(): string | undefined {
  if (!cc) return undefined;
  const out = path.join(tempDir('wasmpod-grpc-'), 'grpc-health');
  try {
    execFileSync(cc, ['-static', '-O2', '-w', path.join(MODULES, 'net/grpc-health.c'), '-o', out], { stdio: 'pipe' });
    return out;
  } catch {
    return undefined;
  }
}

const skip = linuxSkip() || (cc ? false : 'no C compiler to build wasm-modules/net/grpc-health.c natively');
const binary = skip ? undefined : buildNative();
if (skip || !binary) t.plan(0, skip || 'cannot link wasm-modules/net/grpc-health.c statically (no static libc)');
else {
  const rt = linuxRuntime();
  t.teardown(() => rt.close());
  const R = busyboxRootfs();
  fs.copyFileSync(binary, path.join(R, 'bin/grpc-health'));
  fs.chmodSync(path.join(R, 'bin/grpc-health'), 0o755);

  t.test('grpc readiness: SERVING makes the pod Ready, a NOT_SERVING service gives the kubelet\'s message', async (t) => {
    const pod = await rt.runPod({
      metadata: { name: 'grpc-linux' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{
          name: 'grpc', image: R, command: ['grpc-health', '-p', '50051', '--not-serving', 'down'],
          readinessProbe: { grpc: { port: 50051 }, periodSeconds: 1, timeoutSeconds: 50 },
        }, {
          name: 'down', image: R, command: ['sleep', '1000'],
          readinessProbe: { grpc: { port: 50051, service: 'down' }, periodSeconds: 1, failureThreshold: 1, timeoutSeconds: 50 },
        }],
      },
    });
    await until(pod, (s) => s.containerStatuses!.find((c) => c.name === 'grpc')!.ready === true);
    t.pass('the grpc container is ready: Check reached the server in the pod\'s namespace');
    await new Promise<void>((resolve) => {
      const seen = () => { if (pod.events.some((e) => e.reason === 'Unhealthy')) { pod.off('event', seen); resolve(); } };
      pod.on('event', seen);
      seen();
    });
    t.equal(pod.events.find((e) => e.reason === 'Unhealthy')!.message, 'Readiness probe failed: service unhealthy (responded with "NOT_SERVING")');
    t.equal(pod.status.conditions!.find((c) => c.type === 'Ready')!.status, 'False');
    await pod.delete();
  });
}
