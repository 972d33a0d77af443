// A WASI container: one worker thread running the module, stdio carried by byte rings drained into the log hooks.
import { Worker, type ResourceLimits, type TransferListItem } from 'node:worker_threads';
import type { ContainerConfig, ContainerHooks, ExecResult, ExitInfo, OutputStream, SandboxContainer } from '../sandbox.js';
import { ByteRing, READER_CLOSED, WRITER_CLOSED, createDoorbell } from '../../../shim/ring/byte-ring.js';
import { requestKill } from '../../../shim/ring/doorbell.js';
import { TERMINATION_FD_ENV } from '../../../shim/fd/termination.js';
import { GATE_CANCEL, GATE_GO, GATE_READY, type WorkerReport, type WorkerStart } from '../../../shim/worker-protocol.js';
import { WASM_PAGE } from './memory-limit.js';
import type { IpcNamespace } from '../../ipc/namespace.js';
import type { PodNetwork } from '../../net/pod-network.js';
import { NetSession } from '../../net/net-session.js';
import { WORKER_URL, type WorkerPool } from './worker-pool.js';
import type { SharedRun, SharedWorkers } from './shared-workers.js';
import { COMPONENT_WORKER_URL, componentOf } from './component-cache.js';
import { STDIO_RING_BYTES, drain, pumpStdin, settledWithin, spareStdioRings, stdioRing, type Ahead, type Outcome, type RunSetup } from './container-run.js';
import { randomHex } from '../../random-id.js';
import { admitWorker } from './map-budget.js';
import { usesOf } from './provided-imports.js';

/** A worker whose guest's memory ended larger than this is ended rather than pooled again. */
const REUSE_MEMORY_BYTES = 64 * 1024 * 1024;
/** How long a kill waits for a pooled guest to unwind at its bell before its worker is ended. */
const COOPERATIVE_KILL_MS = 50;
/** The JS heap a worker may use beside the guest's linear memory; past it the container is OOMKilled. */
const WORKER_HEAP_MB = 128;
/**
 * The resource limits of every container's worker. They do not depend on the container's memory limit
 * (that caps the guest's linear memory, rewritten into the module), so pooled workers are made with them.
 */
export const WORKER_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: WORKER_HEAP_MB };

export const SIGTERM_EXIT: ExitInfo = { exitCode: 143, reason: 'Error', signal: 'SIGTERM', message: 'terminated by SIGTERM' };
export const SIGKILL_EXIT: ExitInfo = { exitCode: 137, reason: 'Error', signal: 'SIGKILL', message: 'killed after the grace period' };
const OOM_EXIT: ExitInfo = { exitCode: 137, reason: 'OOMKilled', signal: 'SIGKILL' };

export class WasmContainer implements SandboxContainer {
  readonly id = randomHex(16);
  private worker?: Worker;
  private killedWith?: ExitInfo;
  /** The run is in a pooled worker (one that runs guests one after another). */
  private pooled = false;
  /** The current run, when the container runs in a shared worker. */
  private sharedRun?: SharedRun;
  /** The last run's worker ended it cleanly and went back to its pool (finish). */
  private givenBack = false;
  /** The first run, when it was made ahead of its start (prepare). */
  private ahead?: Ahead;
  private ended?: Promise<unknown>;
  private readonly bell = createDoorbell();
  private readonly stdinRing?: ByteRing;
  private readonly notice?: { ring: ByteRing; armed: Int32Array };

  constructor(
    readonly config: ContainerConfig,
    private readonly module: WebAssembly.Module,
    readonly imageID: string,
    private readonly ipc?: IpcNamespace,
    private readonly network?: PodNetwork,
    private readonly pool?: WorkerPool,
    /** Shared workers, when the runtime has them and this module may use one (see WasmBackend). */
    private readonly shared?: SharedWorkers,
  ) {
    if (config.stdin) {
      this.stdinRing = ByteRing.create(STDIO_RING_BYTES);
      this.stdinRing.readerBell = this.bell;
    }
    if (config.env.some((e) => e.startsWith(`${TERMINATION_FD_ENV}=`))) {
      const ring = ByteRing.create(16);
      ring.readerBell = this.bell;
      this.notice = { ring, armed: new Int32Array(new SharedArrayBuffer(4)) };
    }
  }

  start(hooks: ContainerHooks): Promise<ExitInfo> {
    const p = this.run(hooks);
    this.ended = p;
    return p;
  }

  /**
   * OCI's create before its start: the run is set up now and its guest instantiated in a pooled worker, which
   * then waits for start() (a store and a wake-up of that thread instead of a message and an instantiation) or
   * for cancel(). Only a run in a pooled worker can be made ahead; others are made at start().
   */
  prepare(): void {
    if (this.ahead || this.ended || this.shared || componentOf(this.module) || !this.pool?.enabled) return;
    const setup = this.setUp();
    // A pooled worker that made an instance of this module after its last run: nothing to send before the start.
    // Not for a container that declares ports: they listen before it is started (postStart hooks, probes and
    // peers reach them from then on), and its worker opens them (net/preopen.ts).
    const warm = this.config.ports?.length ? undefined : this.pool.takeWarm(this.module, WORKER_LIMITS);
    if (warm) {
      setup.start.warm = true;
      const ahead: Ahead = { setup, worker: warm, outcome: undefined! };
      ahead.outcome = this.outcome(warm, { onStarted: () => undefined, onOutput: () => undefined }, (d) => { ahead.detach = d; });
      this.ahead = ahead;
      return;
    }
    const gate = new Int32Array(new SharedArrayBuffer(4));
    setup.start.gate = gate.buffer as SharedArrayBuffer;
    const worker = this.pool.take(setup.start, setup.transferList, WORKER_LIMITS);
    if (!worker) {
      this.tearDown(setup);
      return;
    }
    const ahead: Ahead = { setup, worker, gate, outcome: undefined! };
    // Listened to from now on: a guest that fails to instantiate reports before it is started.
    ahead.outcome = this.outcome(worker, { onStarted: () => ahead.hooks?.onStarted(), onOutput: () => undefined });
    this.ahead = ahead;
  }

  /** Gives back a run made ahead and never started: its guest is not run, its worker goes back to the pool. */
  async cancel(): Promise<void> {
    const ahead = this.ahead;
    if (!ahead) return;
    this.ahead = undefined;
    if (!ahead.gate) {
      // On a warm instance, sent nothing: the worker goes back as it was (its instance is dropped at its next run,
      // which is not sent `warm`).
      ahead.detach!();
      this.pool!.give(ahead.worker);
      this.tearDown(ahead.setup);
      return;
    }
    Atomics.store(ahead.gate, 0, GATE_CANCEL);
    Atomics.notify(ahead.gate, 0);
    // A guest still in its instantiation (a wasm start function that never returns) does not see the gate.
    const done = await settledWithin(ahead.outcome, COOPERATIVE_KILL_MS);
    if (done?.reusable && this.pool) this.pool.give(ahead.worker);
    else void ahead.worker.terminate();
    this.tearDown(ahead.setup);
  }

  /** What a run needs before its worker: stdio rings, the start message, and its IPC and network sessions. */
  private setUp(): RunSetup {
    const stdout = stdioRing();
    const stderr = stdioRing();
    stdout.writerBell = this.bell;
    stderr.writerBell = this.bell;
    const start: WorkerStart = {
      module: this.module, argv: this.config.argv, env: this.config.env, mounts: this.config.mounts,
      stdout: stdout.init, stderr: stderr.init, stdin: this.stdinRing?.init, bell: this.bell.buffer as SharedArrayBuffer,
      termination: this.notice && { ring: this.notice.ring.init, armed: this.notice.armed.buffer as SharedArrayBuffer },
      component: componentOf(this.module),
    };
    // Each run gets its own IPC session: what a dead run held is released when its worker ends. Only a
    // module that imports the IPC module (or sockets, for the network) can use one: others start without.
    const uses = usesOf(this.module, start.component !== undefined);
    const ipc = uses.ipc ? this.ipc?.attach() : undefined;
    start.ipc = ipc?.init;
    // Likewise for the network: when the run ends, its connections are closed for it and its ports freed.
    const net = uses.net || (this.config.ports ?? []).length > 0
      ? this.network && new NetSession(this.network, start.bell, this.config.ports ?? [])
      : undefined;
    start.net = net?.init;
    const transferList = [...(ipc ? [ipc.init.channel.port] : []), ...(net ? [net.init.channel.port] : [])];
    return { stdout, stderr, start, ipc, net, transferList };
  }

  /** Releases a run's sessions and closes its output rings (a killed worker could not close them). */
  private tearDown(setup: RunSetup): void {
    setup.ipc?.end();
    setup.net?.end();
    setup.stdout.close(WRITER_CLOSED);
    setup.stderr.close(WRITER_CLOSED);
  }

  private async run(hooks: ContainerHooks): Promise<ExitInfo> {
    const ahead = this.ahead;
    this.ahead = undefined;
    this.givenBack = false;
    const setup = ahead?.setup ?? this.setUp();
    const { stdout, stderr, start, transferList } = setup;
    // The output is read once the run has started (its guest writes nothing before), a turn of the event loop
    // after its Running status: what the guest printed first (and the log file its first output makes) then
    // waits behind the starts of the pod's other containers, whose reports may already be in. The rings hold
    // what comes meanwhile (a guest that fills one waits for it, as a pipe's writer does).
    let drains: Promise<void>[] | undefined;
    const startDrains = (): void => { drains ??= [drain(stdout, 'stdout', hooks), drain(stderr, 'stderr', hooks)]; };
    const runHooks: ContainerHooks = { ...hooks, onStarted: () => { hooks.onStarted(); setImmediate(startDrains); } };
    let exit: ExitInfo;
    if (ahead) {
      ahead.hooks = runHooks;
      this.pooled = true;
      this.worker = ahead.worker;
      if (ahead.gate) {
        // A guest found instantiated at its gate is started now, as runc's start returns once it has let its
        // created container go; one still instantiating reports its start itself (worker-protocol.ts).
        if (Atomics.exchange(ahead.gate, 0, GATE_GO) === GATE_READY) runHooks.onStarted();
        Atomics.notify(ahead.gate, 0);
      } else {
        // On a warm instance: started now, its message sent on the loop's next turn (after its drains start), so that
        // waking the worker delays neither the starts of the pod's other containers nor what waits for their Running.
        runHooks.onStarted();
        setImmediate(() => ahead.worker.postMessage(start, transferList));
      }
      exit = await this.finish(ahead.worker, true, ahead.outcome);
    } else if (this.shared && !start.component) {
      exit = await this.runShared(this.shared, start, transferList, runHooks);
    } else {
      exit = await this.runInWorker(start, transferList, runHooks);
    }
    startDrains();
    this.tearDown(setup);
    await Promise.all(drains!);
    this.stdinRing?.close(READER_CLOSED);
    // Drained, and the worker that wrote them is done with them: the next runs may use them.
    if (this.givenBack) spareStdioRings(stdout, stderr);
    return exit;
  }

  /** A run in a worker of its own: a pooled one (given back after a clean end) or a fresh one. */
  private async runInWorker(start: WorkerStart, transferList: TransferListItem[], hooks: ContainerHooks): Promise<ExitInfo> {
    // A pre-warmed worker when the pool has one with the same limits; else a fresh worker, started here.
    const pooled = start.component ? undefined : this.pool?.take(start, transferList, WORKER_LIMITS);
    this.pooled = pooled !== undefined;
    const refused = pooled ? undefined : admitWorker();
    if (refused) return refused;
    const worker = pooled ?? new Worker(start.component ? COMPONENT_WORKER_URL : WORKER_URL, {
      // The guest's worker needs none of the embedder's Node flags (a test runner's loaders would slow every start).
      execArgv: [], workerData: start, transferList, resourceLimits: WORKER_LIMITS,
    });
    this.worker = worker;
    return this.finish(worker, pooled !== undefined, this.outcome(worker, hooks));
  }

  /** Waits for the run's end; then its worker goes back to the pool (a clean end) or is ended. */
  private async finish(worker: Worker, pooled: boolean, outcome: Promise<Outcome>): Promise<ExitInfo> {
    const { exit, reusable } = await outcome;
    // The run is over when the guest's exit report arrives: the worker's teardown (or its return to the
    // pool) is not waited for. From here on, kill() no longer reaches this worker.
    this.worker = undefined;
    this.givenBack = reusable === true && pooled && this.pool !== undefined;
    if (this.givenBack) this.pool!.give(worker, this.module);
    else if (reusable === false) void worker.terminate();
    return exit;
  }

  /** A run in a shared worker (shared-workers.ts): the guest's report, or the loss of its worker. */
  private runShared(shared: SharedWorkers, start: WorkerStart, transferList: TransferListItem[], hooks: ContainerHooks): Promise<ExitInfo> {
    return new Promise((resolve) => {
      const end = (exit: ExitInfo): void => {
        this.sharedRun = undefined;
        resolve(exit);
      };
      this.sharedRun = shared.run(start, transferList, {
        started: () => hooks.onStarted(),
        exit: (m) => end(this.killedWith ?? this.classify(m)),
        lost: (message) => end(this.killedWith ?? { exitCode: 137, reason: 'Error', signal: 'SIGKILL', message }),
      });
    });
  }

  /**
   * How the run ended: the guest's exit report, or the worker's death (killed, out of its heap, crashed).
   * `reusable` is undefined when the worker is gone or ends by itself (a fresh worker after its one run).
   */
  private outcome(worker: Worker, hooks: ContainerHooks, detached?: (detach: () => void) => void): Promise<Outcome> {
    return new Promise((resolve) => {
      let failed: ExitInfo | undefined;
      const detach = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      detached?.(detach);
      const done = (exit: ExitInfo, reusable?: boolean): void => {
        detach();
        resolve({ exit, ...(reusable !== undefined ? { reusable } : {}) });
      };
      const onMessage = (m: WorkerReport): void => {
        // A pooled worker taken before it had loaded may still report 'ready': not the container's business.
        if (m.type === 'started') hooks.onStarted();
        else if (m.type === 'exit') {
          // A worker that held a large memory is not kept: an idle pooled worker should be small.
          const small = (m.memoryBytes ?? 0) <= REUSE_MEMORY_BYTES;
          // A guest killed while it slept on its bell unwound cleanly (reusable); killed any other way it is not.
          done(this.killedWith ?? this.classify(m), m.reusable === true && small);
        }
      };
      const onError = (err: Error & { code?: string }): void => {
        if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') failed ??= { ...OOM_EXIT, message: 'the worker exceeded its JS heap budget' };
        failed ??= { exitCode: 134, reason: 'Error', message: `worker failed: ${err.message}` };
      };
      const onExit = (): void => done(this.killedWith ?? failed ?? { exitCode: 137, reason: 'Error', message: 'worker ended without a result' });
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  }

  /**
   * A guest that fails (non-zero exit or trap) while its memory is near its limit (within 10%, or one
   * page for tiny limits) ran out of memory: memory.grow failed, as the kernel would have OOM-killed it.
   * wasm gives no event for a failed grow, so this is judged at the end.
   */
  private classify(m: Extract<WorkerReport, { type: 'exit' }>): ExitInfo {
    const limit = this.config.memoryLimit;
    const near = limit ? Math.max(WASM_PAGE, limit * 0.1) : 0;
    if (limit && m.code !== 0 && m.memoryBytes !== undefined && m.memoryBytes + near > limit) {
      return { ...OOM_EXIT, message: `memory limit of ${limit} bytes reached${m.message ? ` (${m.message})` : ''}` };
    }
    return { exitCode: m.code, reason: m.reason, ...(m.message ? { message: m.message } : {}) };
  }

  async kill(exit: ExitInfo): Promise<void> {
    this.killedWith ??= exit;
    if (this.sharedRun) {
      await this.killShared(this.sharedRun);
      return;
    }
    const worker = this.worker;
    if (!worker) return;
    // A pooled guest asleep on its bell (an idle server in poll_oneoff, a sleeper) unwinds at once when asked,
    // and its worker goes back to the pool; any other (busy, or asleep elsewhere) has its worker ended.
    if (this.pooled && this.ended) {
      requestKill(this.bell);
      const timedOut = await settledWithin(this.ended, COOPERATIVE_KILL_MS) === undefined;
      // Ended in time, or its report came just now (the worker is no longer this container's).
      if (!timedOut || this.worker !== worker) return;
    }
    await worker.terminate();
  }

  /**
   * A guest in a shared worker stops at its next wait (its bell rung, its other waits cut short). One that
   * does not within COOPERATIVE_KILL_MS never waits: its whole worker is ended, and the guests in it with it.
   */
  private async killShared(run: SharedRun): Promise<void> {
    requestKill(this.bell);
    run.kill();
    const timedOut = await settledWithin(this.ended!, COOPERATIVE_KILL_MS) === undefined;
    if (timedOut && this.sharedRun === run) {
      await run.endWorker(`ended with container "${this.config.name}", which did not stop when killed (it never waits)`);
    }
  }

  async stop(graceMs: number): Promise<void> {
    const notice = this.notice;
    if (!this.worker && !this.sharedRun) return;
    if (!notice || Atomics.load(notice.armed, 0) === 0) {
      // No handler for the notice: SIGTERM's default action ends the guest at once.
      await this.kill(SIGTERM_EXIT);
      return;
    }
    notice.ring.close(WRITER_CLOSED);
    await settledWithin(this.ended!, graceMs);
    await this.kill(SIGKILL_EXIT);
  }

  async exec(argv: string[], timeoutMs: number, onOutput?: (stream: OutputStream, chunk: Buffer) => void, stdin?: AsyncIterable<Buffer>): Promise<ExecResult> {
    const child = new WasmContainer({ ...this.config, argv, stdin: stdin !== undefined, ports: [] }, this.module, this.imageID, this.ipc, this.network, this.pool, this.shared);
    const out: Record<'stdout' | 'stderr', Buffer[]> = { stdout: [], stderr: [] };
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void child.kill({ exitCode: 137, reason: 'Error', signal: 'SIGKILL', message: `timed out after ${timeoutMs} ms` });
    }, timeoutMs);
    const started = child.start({ onStarted: () => undefined, onOutput: (s, c) => { out[s].push(c); onOutput?.(s, c); } });
    if (stdin) void pumpStdin(child, stdin);
    const exit = await started;
    clearTimeout(timer);
    return {
      exitCode: exit.exitCode, timedOut, stdout: Buffer.concat(out.stdout), stderr: Buffer.concat(out.stderr),
      ...(exit.message ? { message: exit.message } : {}),
    };
  }

  async writeStdin(chunk: Buffer): Promise<void> {
    const ring = this.stdinRing;
    if (!ring) throw new Error(`container "${this.config.name}" has no stdin (set stdin: true)`);
    let done = 0;
    while (done < chunk.length) {
      if (ring.closedFlags() & (READER_CLOSED | WRITER_CLOSED)) return;
      done += ring.write(chunk.subarray(done));
      if (done < chunk.length) await ring.waitWritableAsync();
    }
  }

  closeStdin(): void {
    this.stdinRing?.close(WRITER_CLOSED);
  }
}
