// What the benchmark pods run: the guest modules for the wasm backend, a busybox root filesystem (and a
// native netbench in it) for the Linux backend and runc, and the same pod specs written for either backend.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findOnPath } from '../runtime/linux/linux-backend.js';

export type BackendName = 'wasm' | 'linux';
export type PodKind = 'hello' | 'idle' | 'web' | 'net-bulk' | 'net-rr';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const wasm = (p: string): string => path.join(ROOT, 'wasm-modules', p);

export const MODULES = {
  hello: wasm('hello/hello.wasm'),
  sleep: wasm('testing/sleep.wasm'),
  httpd: wasm('net/httpd.wasm'),
  wget: wasm('net/wget.wasm'),
  netbench: wasm('net/netbench.wasm'),
  netbenchSource: wasm('net/netbench.c'),
};

/** The line the hello guest prints (the busybox container and the peers print the same). */
export const HELLO_LINE = 'hello from wasmpod';
export const NET_PORT = '7000';

/**
 * A root filesystem of busybox-static (a symlink per applet, /www/index.html) under `dir`, or the reason
 * it cannot be made. When a C compiler can link statically, netbench is built natively into /bin too.
 */
export function busyboxRootfs(dir: string): { rootfs: string; netbench: boolean } | { reason: string } {
  const busybox = findOnPath(['busybox']);
  if (!busybox) return { reason: 'busybox not found (install busybox-static)' };
  const rootfs = path.join(dir, 'rootfs');
  for (const d of ['bin', 'proc', 'dev', 'sys', 'tmp', 'www', 'etc']) fs.mkdirSync(path.join(rootfs, d), { recursive: true });
  fs.copyFileSync(busybox, path.join(rootfs, 'bin/busybox'));
  fs.chmodSync(path.join(rootfs, 'bin/busybox'), 0o755);
  const applets = execFileSync(path.join(rootfs, 'bin/busybox'), ['--list'], { encoding: 'utf8' }).split('\n');
  for (const a of applets) if (a && a !== 'busybox') fs.symlinkSync('busybox', path.join(rootfs, 'bin', a));
  fs.writeFileSync(path.join(rootfs, 'www/index.html'), `${HELLO_LINE}\n`);
  fs.chmodSync(path.join(rootfs, 'tmp'), 0o1777);
  return { rootfs, netbench: buildNetbench(path.join(rootfs, 'bin/netbench')) };
}

/** netbench.c as a static native binary (it must run inside the busybox root filesystem); false without a compiler. */
function buildNetbench(out: string): boolean {
  for (const cc of [process.env['CC'], 'cc', 'gcc', 'clang']) {
    if (!cc || !findOnPath([cc])) continue;
    try {
      execFileSync(cc, ['-O2', '-static', '-o', out, MODULES.netbenchSource], { stdio: 'pipe' });
      return true;
    } catch { /* try the next compiler */ }
  }
  return false;
}

interface ContainerSketch {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  ports?: { containerPort: number }[];
  env?: { name: string; value: string }[];
}

/** The arguments of netbench's client for a loopback run. */
export function netbenchClientArgs(kind: 'net-bulk' | 'net-rr', bytes: number, trips: number, host = 'localhost'): string[] {
  return kind === 'net-bulk' ? ['bulk', host, NET_PORT, String(bytes), String(64 * 1024)] : ['rr', host, NET_PORT, String(trips)];
}

/** The containers of a benchmark pod on either backend: the same job, as wasm modules or as busybox commands. */
function containers(kind: PodKind, backend: BackendName, rootfs: string, net: { bytes: number; trips: number }): ContainerSketch[] {
  const w = backend === 'wasm';
  switch (kind) {
    case 'hello':
      return [w ? { name: 'hello', image: MODULES.hello } : { name: 'hello', image: rootfs, command: ['/bin/echo', HELLO_LINE] }];
    case 'idle':
      return ['a', 'b'].map((name) => (w ? { name, image: MODULES.sleep } : { name, image: rootfs, command: ['/bin/sleep', '100000'] }));
    case 'web':
      return w
        ? [
          // httpd takes the listener wasmpod pre-opens for the declared port, so the client's first connect succeeds.
          { name: 'web', image: MODULES.httpd, ports: [{ containerPort: 80 }], env: [{ name: 'WASMPOD_TERMINATION_FD', value: '' }] },
          { name: 'client', image: MODULES.wget, args: ['-q', '-t', '1000', '-w', '5', 'http://localhost/echo/bench'] },
        ]
        : [
          { name: 'web', image: rootfs, command: ['/bin/httpd', '-f', '-p', '80', '-h', '/www'], ports: [{ containerPort: 80 }] },
          { name: 'client', image: rootfs, command: ['/bin/sh', '-c', 'while ! wget -q -O - http://localhost/index.html; do sleep 0.01; done'] },
        ];
    case 'net-bulk':
    case 'net-rr': {
      const server = ['server', NET_PORT, '1'];
      // The static native build resolves no names without NSS modules, so the Linux pod dials the address.
      const client = netbenchClientArgs(kind, net.bytes, net.trips, w ? 'localhost' : '127.0.0.1');
      return w
        ? [{ name: 'server', image: MODULES.netbench, args: server }, { name: 'client', image: MODULES.netbench, args: client }]
        : [{ name: 'server', image: rootfs, command: ['/bin/netbench', ...server] }, { name: 'client', image: rootfs, command: ['/bin/netbench', ...client] }];
    }
  }
}

/** A v1 Pod of the given kind for a backend: restartPolicy Never, no grace period (deleting is not what is measured). */
export function benchPod(kind: PodKind, backend: BackendName, name: string, opts: { rootfs?: string; bytes?: number; trips?: number } = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      runtimeClassName: backend,
      containers: containers(kind, backend, opts.rootfs ?? '', { bytes: opts.bytes ?? 0, trips: opts.trips ?? 0 }),
    },
  };
}
