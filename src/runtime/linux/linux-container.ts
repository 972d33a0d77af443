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
import { processAlive } from '../../state-dir.js';
import { removeTree } from './remove-tree.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The container's files in its bundle directory. */
export function bundleFiles(dir: string): Record<'pid' | 'exit' | 'runcLog' | 'stdout' | 'stderr' | 'monitor', string> {
  return {
    pid: path.join(dir, 'pid'), exit: path.join(dir, 'exit'), runcLog: path.join(dir, 'runc.log'),
    stdout: path.join(dir, 'stdout'), stderr: path.join(dir, 'stderr'), monitor: path.join(dir, 'monitor.pid'),
  };
}

/** What a container's run ends with when its runtime closes and leaves it running (`close({ keepLinuxPods: true })`). */
export const DETACHED: ExitInfo = { exitCode: 255, reason: 'Detached', message: 'the runtime closed and left the container running' };

/** The exit status the monitor wrote, or undefined while it has not. */
function readExit(file: string): number | undefined {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
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
  /** Its run has begun (the monitor spawned, or found running) and not ended yet. */
  private live = false;
  private detached = false;
  private endWait?: () => void;
  /** Set when a re-adopting runtime found this container's monitor (its pid): the run is followed, not started. */
  private adoptedMonitor?: number;
  private followTimer?: NodeJS.Timeout;

  /**
   * @param dir the bundle (config.json, the overlay rootfs and the output files), removed after the run
   * @param cgroup the container's cgroup, read for OOM kills before runc deletes it
   * @param killAll SIGKILL every process of the container's cgroup (`kill --all`); without cgroups (rootless,
   *   not delegated) only its init, which takes down its pid namespace (or, shared, leaves them to the pause process)
   * @param releaseStaging ends what holds the staging of its subPath mounts (rootless: the mount namespace it
   *   joins), once its process exists or its run is over
   */
  constructor(
    readonly id: string,
    readonly config: ContainerConfig,
    readonly imageID: string,
    private readonly dir: string,
    private readonly oci: OciRuntime,
    private readonly cgroup: Cgroup,
    private readonly killAll = true,
    private readonly releaseStaging: () => void = () => undefined,
  ) {
    this.files = bundleFiles(dir);
    this.idScheme = path.basename(oci.binary);
  }

  start(hooks: ContainerHooks): Promise<ExitInfo> {
    this.ended ??= this.run(hooks);
    return this.ended;
  }

  /** Re-adoption: this container's run was started by an earlier runtime, whose monitor is `monitorPid`. */
  adopt(monitorPid: number): void {
    this.adoptedMonitor = monitorPid;
  }

  /** When an adopted container's process started (runc wrote its pid file then). */
  get startedAt(): Date | undefined {
    if (this.adoptedMonitor === undefined) return undefined;
    try {
      return fs.statSync(this.files.pid).mtime;
    } catch {
      return undefined;
    }
  }

  /** Spawns the monitor (runc run), and resolves with its exit status once it has ended. */
  private spawnRun(): Promise<number> {
    const f = this.files;
    const out = fs.openSync(f.stdout, 'a');
    const err = fs.openSync(f.stderr, 'a');
    const monitor = this.oci.run(this.id, {
      bundle: this.dir, pidFile: f.pid, exitFile: f.exit, logFile: f.runcLog, stdout: out, stderr: err, stdin: this.config.stdin,
    });
    this.monitor = monitor;
    if (monitor.pid) fs.writeFileSync(f.monitor, String(monitor.pid));
    if (monitor.stdin) {
      monitor.stdin.on('error', () => undefined);
      for (const c of this.pendingStdin.splice(0)) monitor.stdin.write(c);
      if (this.stdinClosed) monitor.stdin.end();
    }
    fs.closeSync(out);
    fs.closeSync(err);
    return new Promise<number>((resolve) => {
      monitor.on('error', () => resolve(128));
      monitor.on('exit', (c, sig) => resolve(c ?? 128 + (sig ? os.constants.signals[sig] : 0)));
    });
  }

  /**
   * An adopted run: we are not the monitor's parent, so its end is seen in the exit file it writes; a monitor
   * gone without writing one (killed) leaves the status unknown (255, as the kubelet reports a lost container).
   */
  private followRun(monitorPid: number): Promise<number> {
    return new Promise((resolve) => {
      const check = (): void => {
        let rc = readExit(this.files.exit);
        if (rc === undefined && !processAlive(monitorPid)) rc = readExit(this.files.exit) ?? 255;
        if (rc === undefined) return;
        clearInterval(this.followTimer);
        resolve(rc);
      };
      this.followTimer = setInterval(check, 100);
      check();
    });
  }

  private async run(hooks: ContainerHooks): Promise<ExitInfo> {
    if (this.detached) return DETACHED;
    if (this.killedWith) {
      await this.cleanup();
      return this.killedWith;
    }
    const f = this.files;
    this.live = true;
    const code = (this.adoptedMonitor !== undefined ? this.followRun(this.adoptedMonitor) : this.spawnRun()).finally(() => { this.live = false; });
    // Each stream's delivered offset is kept in the bundle, so that a runtime re-adopting the container goes on from it.
    const tails = (['stdout', 'stderr'] as const).map((s) => new FileTail(f[s], (c) => hooks.onOutput(s, c), FileTail.savedOffset(`${f[s]}.offset`), `${f[s]}.offset`));
    const detached = new Promise<'detached'>((resolve) => { this.endWait = () => resolve('detached'); });
    // runc writes the pid file once the container's process exists, just before it runs the entry point.
    while (this.live && !this.detached && !fs.existsSync(f.pid)) await sleep(5);
    const started = fs.existsSync(f.pid);
    // The container's process has joined its mount namespace (or never will): the staging holder may go.
    this.releaseStaging();
    if (started && !this.detached) hooks.onStarted();
    const rc = this.detached ? 'detached' : await Promise.race([code, detached]);
    for (const t of tails) t.close();
    if (rc === 'detached') return DETACHED;
    // Read before cleanup: runc delete removes the cgroup, and the bundle goes with its log.
    const exit: ExitInfo = started ? exitInfo(rc, this.cgroup.oomKills() > 0) : { exitCode: 128, reason: 'StartError', message: runcError(f.runcLog) };
    await this.cleanup();
    return this.killedWith ?? exit;
  }

  /** Deletes the runtime's container (and its cgroup), unmounts the root filesystem, removes the bundle. */
  cleanup(): Promise<void> {
    // A detached container is left running for the runtime that re-adopts it.
    if (this.detached) return Promise.resolve();
    this.cleaned ??= (async () => {
      this.releaseStaging();
      await this.oci.delete(this.id);
      await unmountAll(this.dir);
      removeTree(this.dir);
    })();
    return this.cleaned;
  }

  private get running(): boolean {
    return this.live && !this.detached;
  }

  /**
   * Stops following the container and leaves it running (the runtime is closing, keeping its linux pods):
   * start() resolves with DETACHED, nothing is killed or removed. Piped stdin ends: it cannot outlive us.
   */
  detach(): void {
    this.detached = true;
    this.releaseStaging();
    this.monitor?.stdin?.destroy();
    this.monitor?.unref();
    clearInterval(this.followTimer);
    this.endWait?.();
  }

  async kill(exit: ExitInfo): Promise<void> {
    this.killedWith ??= exit;
    if (!this.running) return;
    await this.oci.kill(this.id, 'KILL', this.killAll);
    await this.ended;
  }

  async stop(graceMs: number): Promise<void> {
    if (!this.running) return;
    await this.oci.kill(this.id, 'TERM');
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs); });
    await Promise.race([this.ended, grace]);
    clearTimeout(timer);
    if (this.running) await this.oci.kill(this.id, 'KILL', this.killAll);
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
