// The runc peer: the same busybox job as a plain OCI container run by runc directly (no pod, no pause
// process, no wasmpod), from `runc run` to the container's exit, or `runc run -d` to it running.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { findOnPath } from '../runtime/linux/linux-backend.js';
import { runCommand } from '../runtime/linux/command.js';
import type { BenchEnv } from './env.js';
import { HELLO_LINE } from './fixtures.js';
import { now } from './stats.js';

export class RuncPeer {
  private readonly bundles = new Map<string, string>();
  private readonly dir: string;

  private constructor(private readonly env: BenchEnv, private readonly runc: string, private readonly rootfs: string) {
    this.dir = path.join(env.tmp, 'runc');
    fs.mkdirSync(this.dir, { recursive: true });
  }

  /** The peer, or why it cannot run here. */
  static open(env: BenchEnv): RuncPeer | string {
    if (process.platform !== 'linux') return 'runc needs Linux';
    if (process.getuid?.() !== 0) return 'runc needs root here (rootless runc is not set up)';
    const runc = findOnPath(['runc']);
    if (!runc) return 'runc not found';
    if (!env.rootfs) return env.rootfsReason ?? 'no root filesystem';
    return new RuncPeer(env, runc, env.rootfs);
  }

  /** A bundle whose process is `args`, made once from `runc spec` with the shared read-only busybox root. */
  private async bundle(args: string[]): Promise<string> {
    const key = args.join('\0');
    const known = this.bundles.get(key);
    if (known) return known;
    const dir = path.join(this.dir, `bundle-${this.bundles.size}`);
    fs.mkdirSync(dir);
    const r = await runCommand(this.runc, ['spec', '--bundle', dir]);
    if (r.code !== 0) throw new Error(`runc spec: ${r.stderr}`);
    const file = path.join(dir, 'config.json');
    const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { process: Record<string, unknown>; root: Record<string, unknown> };
    config.process['terminal'] = false;
    config.process['args'] = args;
    config.root = { path: this.rootfs, readonly: true };
    fs.writeFileSync(file, JSON.stringify(config));
    this.bundles.set(key, dir);
    return dir;
  }

  private run(args: string[], output?: (s: string) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      const p = spawn(this.runc, args, { stdio: ['ignore', output ? 'pipe' : 'ignore', 'pipe'] });
      let err = '';
      p.stdout?.on('data', (d: Buffer) => output?.(d.toString()));
      p.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
      p.on('error', reject);
      // A detached container inherits runc's stderr pipe and keeps it open: wait for runc's exit, not the pipe's close.
      p.on(args.includes('-d') ? 'exit' : 'close', (code) => (code === 0 ? resolve(0) : reject(new Error(`runc ${args[0]} exited ${code}: ${err.trim()}`))));
    });
  }

  /** `runc run` of the hello job, to its exit (runc removes the container itself). */
  async hello(): Promise<number> {
    const bundle = await this.bundle(['/bin/echo', HELLO_LINE]);
    let out = '';
    const t0 = now();
    await this.run(['run', '--bundle', bundle, this.env.name('wasmpod-bench-hello')], (s) => { out += s; });
    const ms = now() - t0;
    if (!out.includes(HELLO_LINE)) throw new Error(`runc hello printed ${JSON.stringify(out)}`);
    return ms;
  }

  /** `runc run -d` of an idle container, to runc returning (the container started); then it is removed. */
  async start(): Promise<number> {
    const bundle = await this.bundle(['/bin/sleep', '100000']);
    const id = this.env.name('wasmpod-bench-idle');
    const t0 = now();
    try {
      await this.run(['run', '-d', '--bundle', bundle, id]);
      return now() - t0;
    } finally {
      await runCommand(this.runc, ['delete', '-f', id]);
    }
  }
}
