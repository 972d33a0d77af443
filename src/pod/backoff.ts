// The kubelet's restart back-off: base, doubling per restart, capped, forgotten after a long enough run.
export interface BackoffOptions {
  /** First delay (Kubernetes: 10 s). */
  baseMs: number;
  /** Largest delay (Kubernetes: 300 s). */
  maxMs: number;
  /** A container that ran this long without failing starts again from the base (Kubernetes: 10 min). */
  resetAfterMs: number;
}

export const KUBERNETES_BACKOFF: BackoffOptions = { baseMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 };

/** Back-off state of one container. */
export class Backoff {
  private restarts = 0;
  /**
   * `immediateFirst`: the first failure (and the first after a reset) is retried at once, then base, doubling,
   * as the kubelet's restart back-off does ("initial crash: an immediate restart"; its entry starts on that restart).
   */
  constructor(private readonly opts: BackoffOptions, private readonly immediateFirst = false) {}

  /** The delay before the next restart of a container that just ran for `ranMs`. */
  next(ranMs: number): number {
    if (ranMs >= this.opts.resetAfterMs) this.restarts = 0;
    const n = this.immediateFirst ? this.restarts - 1 : this.restarts;
    const delay = n < 0 ? 0 : Math.min(this.opts.maxMs, this.opts.baseMs * 2 ** n);
    this.restarts++;
    return delay;
  }
}
