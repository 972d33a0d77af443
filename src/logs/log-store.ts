// Container logs on disk in the CRI format the kubelet writes (timestamp, stream, P/F tag, line), one file per run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContainerState } from '../spec/types-status.js';

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

/** Writes one container run's log file; a line not yet ended is held until it ends or the run closes. */
export class ContainerLog {
  private readonly fd: number;
  private readonly partial: Record<'stdout' | 'stderr', Buffer[]> = { stdout: [], stderr: [] };

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    this.fd = fs.openSync(file, 'a', 0o600);
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
    fs.writeSync(this.fd, Buffer.concat([Buffer.from(`${timestamp()} ${stream} ${tag} `), line, Buffer.from('\n')]));
  }

  close(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      // An unterminated last line is kept as a partial line (P), so a reader knows no newline was written.
      if (this.partial[stream].length) this.emit(stream, 'P', Buffer.concat(this.partial[stream]));
      this.partial[stream] = [];
    }
    fs.closeSync(this.fd);
  }
}

/** Parses CRI log text (whole lines of a log file) into lines; partial (P) pieces are joined to the line they continue. */
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

/**
 * The text of one run's log file. A run's file is made by its first output or at its end, so a run that has
 * `started` but written nothing has none yet: its log is empty. Undefined when there is no file and no start.
 */
export function runLogText(file: string, started: boolean): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return started ? '' : undefined;
}

/** Whether a container's state says its current run has started (Running, or Terminated after running). */
export function runStarted(state: ContainerState | undefined): boolean {
  return state?.running !== undefined || state?.terminated !== undefined;
}
