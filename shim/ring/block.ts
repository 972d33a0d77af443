// Where a guest's thread waits: Atomics.wait in a worker of its own; in a shared worker (JSPI), an unwind to the
// import's async wrapper, which waits with Atomics.waitAsync while the worker runs its other guests.

/**
 * Thrown, in a shared worker, where a call would sleep: the word and value it would sleep on, for how long,
 * what to do on waking (`after`), and, when the call cannot simply be made again from the start (it has
 * consumed a relative timeout), how to go on (`resume`).
 */
export class WouldBlock {
  resume?: () => unknown;
  constructor(
    readonly word: Int32Array,
    readonly index: number,
    readonly value: number,
    readonly timeoutMs: number,
    readonly after?: () => void,
  ) {}
}

let asyncWaits = false;

/** Makes every wait of this thread unwind with WouldBlock (a shared worker's guests are suspended, not blocked). */
export function useAsyncWaits(): void {
  asyncWaits = true;
}

/** Whether waits unwind: a call that has done part of its work returns what it did rather than waiting. */
export function waitsUnwind(): boolean {
  return asyncWaits;
}

/** Sleeps while word[index] holds `value`, at most `timeoutMs` (Infinity: no limit), then runs `after`. */
export function block(word: Int32Array, index: number, value: number, timeoutMs: number, after?: () => void): void {
  if (asyncWaits) throw new WouldBlock(word, index, value, timeoutMs, after);
  Atomics.wait(word, index, value, timeoutMs === Infinity ? undefined : timeoutMs);
  after?.();
}
