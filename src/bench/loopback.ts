// Loopback between two containers of a pod (netbench's server and client, wasm-modules/net/netbench.c): bulk
// throughput and 1-byte round-trip latency, as the guest measures them with its own monotonic clock (so pod
// start-up is excluded). The native peer runs the same program as two host processes over kernel TCP.
import * as net from 'node:net';
import * as path from 'node:path';
import { execFile, spawn } from 'node:child_process';
import { benchPod, netbenchClientArgs, type BackendName } from './fixtures.js';
import { deletePod, succeeded, type BenchEnv } from './env.js';

export interface BulkResult { bytes: number; seconds: number; MiBps: number }
export interface RoundTripResult { count: number; p50_us: number; p99_us: number; mean_us: number }
export interface LoopbackResult { bulk: BulkResult; rr: RoundTripResult }

function parseLine<T>(text: string, who: string): T {
  const line = text.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`${who}: netbench printed ${JSON.stringify(text.slice(-200))}`);
  }
}

/** One netbench pod on a backend; the client's JSON line. */
async function podRun<T>(env: BenchEnv, backend: BackendName, kind: 'net-bulk' | 'net-rr'): Promise<T> {
  const rt = env.runtime(backend);
  const opts = { bytes: env.opts.loopbackBytes, trips: env.opts.loopbackTrips, ...(env.rootfs ? { rootfs: env.rootfs } : {}) };
  const pod = await rt.runPod(benchPod(kind, backend, env.name(kind), opts));
  try {
    await succeeded(pod);
    return parseLine<T>(pod.logs('client'), `${backend} ${kind}`);
  } finally {
    await deletePod(pod);
  }
}

export async function podLoopback(env: BenchEnv, backend: BackendName): Promise<LoopbackResult> {
  return { bulk: await podRun<BulkResult>(env, backend, 'net-bulk'), rr: await podRun<RoundTripResult>(env, backend, 'net-rr') };
}

/** A TCP port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function nativeRun<T>(bin: string, kind: 'net-bulk' | 'net-rr', env: BenchEnv): Promise<T> {
  const port = String(await freePort());
  const server = spawn(bin, ['server', port, '1'], { stdio: 'ignore' });
  const serverDone = new Promise((resolve) => server.on('exit', resolve));
  try {
    const args = netbenchClientArgs(kind, env.opts.loopbackBytes, env.opts.loopbackTrips, '127.0.0.1');
    args[2] = port;
    const out = await new Promise<string>((resolve, reject) => {
      execFile(bin, args, { encoding: 'utf8' }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
    return parseLine<T>(out, `native ${kind}`);
  } finally {
    server.kill();
    await serverDone;
  }
}

/** The same program as two host processes (the static build in the busybox root filesystem), or why not. */
export async function nativeLoopback(env: BenchEnv): Promise<LoopbackResult | string> {
  if (!env.rootfs || !env.netbenchNative) return 'no native netbench (needs busybox-static for the root filesystem and a C compiler that links statically)';
  const bin = path.join(env.rootfs, 'bin/netbench');
  return { bulk: await nativeRun<BulkResult>(bin, 'net-bulk', env), rr: await nativeRun<RoundTripResult>(bin, 'net-rr', env) };
}
