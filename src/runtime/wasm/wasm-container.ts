// A WASI container: one worker thread running the module, stdio carried by byte rings drained into the log hooks.
import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { ContainerConfig, ContainerHooks, ExitInfo, SandboxContainer } from '../sandbox.js';
import { ByteRing, READER_CLOSED, WRITER_CLOSED, createDoorbell } from '../../../shim/ring/byte-ring.js';
import type { WorkerReport, WorkerStart } from '../../../shim/worker-protocol.js';

const STDIO_RING_BYTES = 64 * 1024;
const WORKER_URL = new URL('../../../shim/worker.js', import.meta.url);

export class WasmContainer implements SandboxContainer {
  readonly id = randomBytes(16).toString('hex');
  private worker?: Worker;
  private killedWith?: ExitInfo;
  private readonly bell = createDoorbell();
  private readonly stdinRing?: ByteRing;

  constructor(
    readonly config: ContainerConfig,
    private readonly module: WebAssembly.Module,
    readonly imageID: string,
  ) {
    if (config.stdin) {
      this.stdinRing = ByteRing.create(STDIO_RING_BYTES);
      this.stdinRing.readerBell = this.bell;
    }
  }

  async start(hooks: ContainerHooks): Promise<ExitInfo> {
    const stdout = ByteRing.create(STDIO_RING_BYTES);
    const stderr = ByteRing.create(STDIO_RING_BYTES);
    stdout.writerBell = this.bell;
    stderr.writerBell = this.bell;
    const start: WorkerStart = {
      module: this.module, argv: this.config.argv, env: this.config.env, mounts: this.config.mounts,
      stdout: stdout.init, stderr: stderr.init, stdin: this.stdinRing?.init, bell: this.bell.buffer as SharedArrayBuffer,
    };
    const worker = new Worker(WORKER_URL, { workerData: start });
    this.worker = worker;
    const drains = [drain(stdout, 'stdout', hooks), drain(stderr, 'stderr', hooks)];
    const exit = await new Promise<ExitInfo>((resolve) => {
      let result: ExitInfo | undefined;
      worker.on('message', (m: WorkerReport) => {
        if (m.type === 'started') hooks.onStarted();
        else result = { exitCode: m.code, reason: m.reason, message: m.message };
      });
      worker.on('error', (err) => {
        result ??= { exitCode: 134, reason: 'Error', message: `worker failed: ${err.message}` };
      });
      worker.on('exit', () => resolve(this.killedWith ?? result ?? { exitCode: 137, reason: 'Error', message: 'worker ended without a result' }));
    });
    // A killed worker could not close its rings; close them so the drains finish with what was written.
    stdout.close(WRITER_CLOSED);
    stderr.close(WRITER_CLOSED);
    await Promise.all(drains);
    this.stdinRing?.close(READER_CLOSED);
    return exit;
  }

  async kill(exit: ExitInfo): Promise<void> {
    this.killedWith ??= exit;
    await this.worker?.terminate();
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

/** Moves bytes from a ring to the hooks until the writer closes and the ring is empty. */
async function drain(ring: ByteRing, stream: 'stdout' | 'stderr', hooks: ContainerHooks): Promise<void> {
  const buf = Buffer.allocUnsafe(ring.capacity);
  for (;;) {
    const n = ring.read(buf);
    if (n > 0) {
      hooks.onOutput(stream, Buffer.from(buf.subarray(0, n)));
      continue;
    }
    if (ring.closedFlags() & WRITER_CLOSED && ring.available() === 0) return;
    await ring.waitReadableAsync();
  }
}
