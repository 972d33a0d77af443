// How `wasmpod run` shows container output: raw bytes for one container, name-prefixed lines for several.
import type { OutputStream } from '../runtime/sandbox.js';

export interface Sink {
  write(chunk: Buffer | string): unknown;
}

export class OutputMux {
  private readonly partial = new Map<string, Buffer>();

  constructor(
    private readonly prefixed: boolean,
    private readonly sinks: Record<OutputStream, Sink>,
  ) {}

  write(container: string, stream: OutputStream, chunk: Buffer): void {
    const sink = this.sinks[stream];
    if (!this.prefixed) {
      sink.write(chunk);
      return;
    }
    const key = `${container}\0${stream}`;
    let data = this.partial.has(key) ? Buffer.concat([this.partial.get(key)!, chunk]) : chunk;
    let nl: number;
    while ((nl = data.indexOf(10)) >= 0) {
      sink.write(Buffer.concat([Buffer.from(`[${container}] `), data.subarray(0, nl + 1)]));
      data = data.subarray(nl + 1);
    }
    if (data.length) this.partial.set(key, Buffer.from(data));
    else this.partial.delete(key);
  }

  /** Writes out lines that never got their newline (the container has ended). */
  flush(): void {
    for (const [key, data] of this.partial) {
      const [container, stream] = key.split('\0') as [string, OutputStream];
      this.sinks[stream].write(Buffer.concat([Buffer.from(`[${container}] `), data, Buffer.from('\n')]));
    }
    this.partial.clear();
  }
}
