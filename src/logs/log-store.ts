// Container logs on disk in the CRI format the kubelet writes (timestamp, stream, P/F tag, line), one file per run.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface LogLine {
  time: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** RFC 3339 with nanoseconds, as CRI log lines carry. */
function timestamp(): string {
  const ns = process.hrtime.bigint() % 1_000_000n;
  return new Date().toISOString().replace(/\.(\d{3})Z$/, (_m, ms: string) => `.${ms}${ns.toString().padStart(6, '0')}Z`);
}

/**
 * Writes one container run's log file; a line not yet ended is held until it ends or the run closes. The
 * file is made and written off the container's start path: lines wait in memory for the file to open and
 * are written in order, in batches; `close()` resolves once all of them are on disk.
 */
export class ContainerLog {
  private readonly partial: Record<'stdout' | 'stderr', Buffer[]> = { stdout: [], stderr: [] };
  private readonly handle: Promise<fs.promises.FileHandle | undefined>;
  private pending: Buffer[] = [];
  private writing?: Promise<void>;
  /** Why the file could not be written, if so: the output still reaches the pod's listeners. */
  error?: Error;

  constructor(readonly file: string) {
    this.handle = fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
      .then(() => fs.promises.open(file, 'a', 0o600))
      .catch((err: Error) => {
        this.error = err;
        return undefined;
      });
  }

  write(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      const line = Buffer.concat([...this.partial[stream], chunk.subarray(start, nl)]);
      this.partial[stream] = [];
      this.emit(stream, 'F', line);
      start = nl + 1;
    }
    if (start < chunk.length) this.partial[stream].push(Buffer.from(chunk.subarray(start)));
  }

  private emit(stream: 'stdout' | 'stderr', tag: 'P' | 'F', line: Buffer): void {
    this.pending.push(Buffer.concat([Buffer.from(`${timestamp()} ${stream} ${tag} `), line, Buffer.from('\n')]));
    this.writing ??= this.flush();
  }

  private async flush(): Promise<void> {
    const file = await this.handle;
    while (this.pending.length > 0) {
      const data = Buffer.concat(this.pending.splice(0));
      if (file && !this.error) await file.appendFile(data).catch((err: Error) => { this.error = err; });
    }
    this.writing = undefined;
  }

  /** Writes what is held (an unterminated last line as a partial one) and closes the file. */
  async close(): Promise<void> {
    for (const stream of ['stdout', 'stderr'] as const) {
      // An unterminated last line is kept as a partial line (P), so a reader knows no newline was written.
      if (this.partial[stream].length) this.emit(stream, 'P', Buffer.concat(this.partial[stream]));
      this.partial[stream] = [];
    }
    while (this.writing) await this.writing;
    await (await this.handle)?.close().catch(() => undefined);
  }
}

/** Parses a CRI log file back into lines; partial (P) pieces are joined to the line they continue. */
export function readLog(file: string): LogLine[] {
  return parseLog(fs.readFileSync(file, 'utf8'));
}

/** Parses CRI log text (whole lines of a log file) into lines, as readLog does. */
export function parseLog(text: string): LogLine[] {
  const out: LogLine[] = [];
  let pending: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const m = /^(\S+) (stdout|stderr) ([PF]) (.*)$/s.exec(raw);
    if (!m) continue;
    const [, time, stream, tag, text] = m;
    const joined = (pending[stream] ?? '') + text;
    if (tag === 'P') {
      pending[stream] = joined;
      continue;
    }
    delete pending[stream];
    out.push({ time, stream: stream as LogLine['stream'], text: joined });
  }
  for (const [stream, text] of Object.entries(pending)) out.push({ time: '', stream: stream as LogLine['stream'], text });
  pending = {};
  return out;
}

/** Where a pod's logs live: <stateDir>/pods/<namespace>_<name>_<uid>/<container>/<restart>.log, as the kubelet lays them out. */
export class LogStore {
  constructor(readonly stateDir: string) {}

  podDir(namespace: string, name: string, uid: string): string {
    return path.join(this.stateDir, 'pods', `${namespace}_${name}_${uid}`);
  }

  containerFile(podDir: string, container: string, restart: number): string {
    return path.join(podDir, container, `${restart}.log`);
  }
}
