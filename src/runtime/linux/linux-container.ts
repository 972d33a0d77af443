// A container of the Linux backend: an OCI bundle run by runc under a monitor, output tailed from files into the log hooks.
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ContainerConfig, ContainerHooks, ExecResult, ExitInfo, OutputStream, SandboxContainer } from '../sandbox.js';
import type { Cgroup } from './cgroups/cgroup.js';
import type { OciRuntime } from './runc.js';
import { FileTail } from './log-tail.js';
import { unmountAll } from './mounts.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The container's files in its bundle directory. */
function bundleFiles(dir: string): Record<'pid' | 'exit' | 'runcLog' | 'stdout' | 'stderr', string> {
  return {
    pid: path.join(dir, 'pid'), exit: path.join(dir, 'exit'), runcLog: path.join(dir, 'runc.log'),
    stdout: path.join(dir, 'stdout'), stderr: path.join(dir, 'stderr'),
  };
}

/** How a process that ended with `code` ended, in Kubernetes' words (128+n is death by signal n). */
function exitInfo(code: number, oomKilled: boolean): ExitInfo {
  if (oomKilled) return { exitCode: code, reason: 'OOMKilled', signal: 'SIGKILL', message: 'the container exceeded its memory limit' };
  if (code === 0) return { exitCode: 0, reason: 'Completed' };
  const sig = code > 128 ? Object.entries(os.constants.signals).find(([, n]) => n === code - 128)?.[0] : undefined;
  return { exitCode: code, reason: 'Error', ...(sig ? { signal: sig } : {}) };
}

/** The last error runc logged (its --log is JSON lines), for a container that failed to start. */
function runcError(logFile: string): string {
  let last = 'the OCI runtime failed to start the container';
  try {
    for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
      if (!line) continue;
      const e = JSON.parse(line) as { level?: string; msg?: string };
      if ((e.level === 'error' || e.level === 'fatal') && e.msg) last = e.msg;
    }
  } catch { /* no log: keep the generic message */ }
  return last;
}

export class LinuxContainer implements SandboxContainer {
  readonly idScheme: string;
  private monitor?: ChildProcess;
  private ended?: Promise<ExitInfo>;
  private killedWith?: ExitInfo;
  private cleaned?: Promise<void>;
  private readonly pendingStdin: Buffer[] = [];
  private stdinClosed = false;
  private readonly files: ReturnType<typeof bundleFiles>;

  /**
   * @param dir the bundle (config.json, the overlay rootfs and the output files), removed after the run
   * @param cgroup the container's cgroup, read for OOM kills before runc deletes it
   */
  constructor(
    readonly id: string,
    readonly config: ContainerConfig,
    readonly imageID: string,
    private readonly dir: string,
    private readonly oci: OciRuntime,
    private readonly cgroup: Cgroup,
  ) {
    this.files = bundleFiles(dir);
    this.idScheme = path.basename(oci.binary);
  }

  start(hooks: ContainerHooks): Promise<ExitInfo> {
    this.ended ??= this.run(hooks);
    return this.ended;
  }

  private async run(hooks: ContainerHooks): Promise<ExitInfo> {
    if (this.killedWith) {
      await this.cleanup();
      return this.killedWith;
    }
    const f = this.files;
    const out = fs.openSync(f.stdout, 'a');
    const err = fs.openSync(f.stderr, 'a');
    const monitor = this.oci.run(this.id, {
      bundle: this.dir, pidFile: f.pid, exitFile: f.exit, logFile: f.runcLog, stdout: out, stderr: err, stdin: this.config.stdin,
    });
    this.monitor = monitor;
    if (monitor.stdin) {
      monitor.stdin.on('error', () => undefined);
      for (const c of this.pendingStdin.splice(0)) monitor.stdin.write(c);
      if (this.stdinClosed) monitor.stdin.end();
    }
    fs.closeSync(out);
    fs.closeSync(err);
    const tails = (['stdout', 'stderr'] as const).map((s) => new FileTail(f[s], (c) => hooks.onOutput(s, c)));
    let exited = false;
    const code = new Promise<number>((resolve) => {
      monitor.on('error', () => resolve(128));
      monitor.on('exit', (c, sig) => resolve(c ?? 128 + (sig ? os.constants.signals[sig] : 0)));
    }).finally(() => { exited = true; });
    // runc writes the pid file once the container's process exists, just before it runs the entry point.
    while (!exited && !fs.existsSync(f.pid)) await sleep(5);
    const started = fs.existsSync(f.pid);
    if (started) hooks.onStarted();
    const rc = await code;
    for (const t of tails) t.close();
    // Read before cleanup: runc delete removes the cgroup, and the bundle goes with its log.
    const exit: ExitInfo = started ? exitInfo(rc, this.cgroup.oomKills() > 0) : { exitCode: 128, reason: 'StartError', message: runcError(f.runcLog) };
    await this.cleanup();
    return this.killedWith ?? exit;
  }

  /** Deletes the runtime's container (and its cgroup), unmounts the root filesystem, removes the bundle. */
  cleanup(): Promise<void> {
    this.cleaned ??= (async () => {
      await this.oci.delete(this.id);
      await unmountAll(this.dir);
      fs.rmSync(this.dir, { recursive: true, force: true });
    })();
    return this.cleaned;
  }

  private get running(): boolean {
    return this.monitor !== undefined && this.monitor.exitCode === null && this.monitor.signalCode === null;
  }

  async kill(exit: ExitInfo): Promise<void> {
    this.killedWith ??= exit;
    if (!this.running) return;
    await this.oci.kill(this.id, 'KILL', true);
    await this.ended;
  }

  async stop(graceMs: number): Promise<void> {
    if (!this.running) return;
    await this.oci.kill(this.id, 'TERM');
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs); });
    await Promise.race([this.ended, grace]);
    clearTimeout(timer);
    if (this.running) await this.oci.kill(this.id, 'KILL', true);
    await this.ended;
  }

  async exec(argv: string[], timeoutMs: number, onOutput?: (stream: OutputStream, chunk: Buffer) => void, stdin?: AsyncIterable<Buffer>): Promise<ExecResult> {
    const pidFile = path.join(this.dir, `exec-${randomBytes(6).toString('hex')}.pid`);
    const child = this.oci.exec(this.id, argv, pidFile, stdin !== undefined);
    if (stdin && child.stdin) {
      const input = child.stdin;
      input.on('error', () => undefined);
      void (async () => {
        try {
          for await (const c of stdin) {
            if (input.destroyed) continue;
            if (!input.write(c)) await new Promise((r) => { input.once('drain', r); input.once('close', r); });
          }
        } catch {
          // The client went away: what it sent is all the command gets.
        }
        input.end();
      })();
    }
    const out: Record<OutputStream, Buffer[]> = { stdout: [], stderr: [] };
    for (const s of ['stdout', 'stderr'] as const) {
      child[s]!.on('data', (c: Buffer) => { out[s].push(c); onOutput?.(s, c); });
    }
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // runc cannot forward SIGKILL: kill the exec'd process itself, then runc ends with it.
      try { process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL'); } catch { child.kill('SIGKILL'); }
    }, timeoutMs);
    const code = await new Promise<number>((resolve) => {
      child.on('error', () => resolve(127));
      child.on('close', (c, sig) => resolve(c ?? 128 + (sig ? os.constants.signals[sig] : 0)));
    });
    clearTimeout(timer);
    fs.rmSync(pidFile, { force: true });
    return {
      exitCode: code, timedOut, stdout: Buffer.concat(out.stdout), stderr: Buffer.concat(out.stderr),
      ...(timedOut ? { message: `timed out after ${timeoutMs} ms` } : {}),
    };
  }

  async writeStdin(chunk: Buffer): Promise<void> {
    if (!this.config.stdin) throw new Error(`container "${this.config.name}" has no stdin (set stdin: true)`);
    const stdin = this.monitor?.stdin;
    // Written before the container started: kept until it does.
    if (!stdin) return void this.pendingStdin.push(chunk);
    if (!stdin.write(chunk)) await new Promise((r) => stdin.once('drain', r));
  }

  closeStdin(): void {
    if (this.monitor) this.monitor.stdin?.end();
    else this.stdinClosed = true;
  }
}
