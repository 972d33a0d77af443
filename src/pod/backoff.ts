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
  constructor(private readonly opts: BackoffOptions) {}

  /** The delay before the next restart of a container that just ran for `ranMs`. */
  next(ranMs: number): number {
    if (ranMs >= this.opts.resetAfterMs) this.restarts = 0;
    const delay = Math.min(this.opts.maxMs, this.opts.baseMs * 2 ** this.restarts);
    this.restarts++;
    return delay;
  }
}
