// How a pod's worker tells its container loops that the pod is stopping: the part of AbortController they use.
// An AbortController's signal is a DOM EventTarget, made with its event machinery (tens of microseconds of a
// pod's start on a CPU whose caches went cold between pods); this is a flag, a reason and a few callbacks.

/** What a container loop reads: whether the pod stopped, why, and a callback for when it does. */
export interface StopSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  /** `fn` is called once, when the pod stops (never if it already has: check `aborted` first). */
  addEventListener(type: 'abort', fn: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', fn: () => void): void;
}

export class PodStop implements StopSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners?: Set<() => void>;

  /** Stops the pod with `reason`; the first reason stays, as an AbortController's does. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    // One removed by an earlier one during the stop is not called, as an EventTarget's dispatch skips it.
    const listeners = this.listeners;
    for (const fn of listeners ?? []) {
      listeners!.delete(fn);
      fn();
    }
    this.listeners = undefined;
  }

  addEventListener(_type: 'abort', fn: () => void, _options?: { once?: boolean }): void {
    if (!this.aborted) (this.listeners ??= new Set()).add(fn);
  }

  removeEventListener(_type: 'abort', fn: () => void): void {
    this.listeners?.delete(fn);
  }
}
