// A container's robust list: the mutex words it holds or is taking, so they can be released when it dies.
import { R_ENTRY_WORDS, R_OFFSET, R_SEGMENT, ROBUST_ENTRIES } from './layout.js';
import type { Segment } from './segment.js';

/** The worker's side: an entry is written before a lock is tried, and cleared after unlock. */
export class RobustList {
  private readonly w: Int32Array;

  constructor(sab: SharedArrayBuffer) {
    this.w = new Int32Array(sab);
  }

  /** Returns the entry's index, or -1 when the list is full. */
  add(segment: number, offset: number): number {
    for (let e = 0; e < ROBUST_ENTRIES; e++) {
      const at = e * R_ENTRY_WORDS;
      if (this.w[at + R_SEGMENT] !== 0) continue;
      Atomics.store(this.w, at + R_OFFSET, offset);
      Atomics.store(this.w, at + R_SEGMENT, segment);
      return e;
    }
    return -1;
  }

  find(segment: number, offset: number): number {
    for (let e = 0; e < ROBUST_ENTRIES; e++) {
      const at = e * R_ENTRY_WORDS;
      if (this.w[at + R_SEGMENT] === segment && this.w[at + R_OFFSET] === offset) return e;
    }
    return -1;
  }

  remove(entry: number): void {
    Atomics.store(this.w, entry * R_ENTRY_WORDS + R_SEGMENT, 0);
  }
}

/** The main thread's side, after the worker ended: every listed word it still owns is marked OWNER_DIED. */
export function releaseRobustList(sab: SharedArrayBuffer, owner: number, segment: (id: number) => Segment | undefined): void {
  const w = new Int32Array(sab);
  for (let e = 0; e < ROBUST_ENTRIES; e++) {
    const at = e * R_ENTRY_WORDS;
    const id = Atomics.load(w, at + R_SEGMENT);
    if (id !== 0) segment(id)?.releaseDead(Atomics.load(w, at + R_OFFSET), owner);
  }
}
