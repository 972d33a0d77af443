// Whether a blocking ring wait polls before it sleeps: polling pays only while a core is free for the peer.
import { availableParallelism } from 'node:os';

/**
 * How long a blocking wait polls the ring before it sleeps, in ms. Waking a sleeping thread (a futex
 * system call, then the scheduler) costs several microseconds, more than the peer usually takes to
 * answer when it runs on another core; so, as Linux's SO_BUSY_POLL does, a waiter first spins this
 * long. With one core the peer cannot run while we spin, so there is no spinning at all.
 */
export const SPIN_MS = availableParallelism() > 1 ? 0.05 : 0;
/** Bounds of the score of how often spinning paid off. */
const SCORE_MAX = 8;
/**
 * While spinning does not pay, it is tried again only in the first ms of every 64 ms of wall-clock time:
 * the same moments in every thread, so both ends of a connection try together. One end trying alone
 * meets a peer that sleeps, whose wake-up is slow, and would never see spinning pay again.
 */
const PROBE_PERIOD_MS = 64;
const PROBE_WINDOW_MS = 1;

/**
 * One ring end's policy. A poll that ends in data scores +1, one that runs out -2 (it burnt the CPU
 * time for nothing). Below zero (fewer than two polls in three pay: the peer answers slowly, or the
 * machine is so busy that the peer waits for a core while we spin) the end sleeps at once, and polls
 * again only in the probe windows.
 */
export class SpinPolicy {
  private score = 0;

  /** How long to poll before this sleep, in ms (0: sleep at once). */
  budget(): number {
    if (SPIN_MS === 0) return 0;
    if (this.score < 0 && (performance.timeOrigin + performance.now()) % PROBE_PERIOD_MS >= PROBE_WINDOW_MS) return 0;
    return SPIN_MS;
  }

  paid(): void {
    if (this.score < SCORE_MAX) this.score++;
  }

  wasted(): void {
    this.score = Math.max(-SCORE_MAX, this.score - 2);
  }
}
