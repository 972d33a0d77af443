// A thread's wake-up word while it waits for any of several rings (poll_oneoff), paid for only when it sleeps.
import { block } from './block.js';

/**
 * A doorbell is a thread's wake-up word while it waits for any of several rings (poll_oneoff): word 0
 * counts rings, word 1 counts sleepers, word 2 (a container's bell) asks its guest to stop. Every ring change rings the bells registered on its side, and
 * only a bell with a sleeper pays for a notify.
 */
export type Doorbell = Int32Array;
const BELL_RINGS = 0;
const BELL_SLEEPERS = 1;
/** A container's bell only: set by the host to ask its guest to stop (see requestKill). */
const BELL_KILL = 2;

export function createDoorbell(): Doorbell {
  return new Int32Array(new SharedArrayBuffer(12));
}

/**
 * The host's SIGKILL for a guest asleep on its container's bell (poll_oneoff, a sleep): the sleeper wakes,
 * sees the word and unwinds its guest between shim calls, so the worker is left clean for another guest.
 * A guest that is not asleep there does not see it; the host then ends the worker.
 */
export function requestKill(bell: Doorbell): void {
  Atomics.store(bell, BELL_KILL, 1);
  Atomics.add(bell, BELL_RINGS, 1);
  Atomics.notify(bell, BELL_RINGS);
}

export function killRequested(bell: Doorbell): boolean {
  return bell.length > BELL_KILL && Atomics.load(bell, BELL_KILL) !== 0;
}

export function ringBell(bell: Doorbell | undefined): void {
  if (!bell) return;
  // A one-word bell (made elsewhere) has no sleeper count: always notify it.
  if (bell.length > BELL_SLEEPERS && Atomics.load(bell, BELL_SLEEPERS) === 0) return;
  Atomics.add(bell, BELL_RINGS, 1);
  Atomics.notify(bell, BELL_RINGS);
}

/**
 * Sleeps on `bell` until it rings or `timeoutMs` passes, unless `ready()` is already true. The sleeper
 * registers before it checks, so a ring that lands between the check and the sleep is never lost.
 */
export function sleepOnBell(bell: Doorbell, ready: () => boolean, timeoutMs: number): boolean {
  const counted = bell.length > BELL_SLEEPERS;
  if (counted) Atomics.add(bell, BELL_SLEEPERS, 1);
  // The sleeper stays counted until it wakes, also when the wait is finished asynchronously (block.ts).
  const awake = (): void => { if (counted) Atomics.sub(bell, BELL_SLEEPERS, 1); };
  let seen: number;
  try {
    seen = Atomics.load(bell, BELL_RINGS);
    if (ready()) {
      awake();
      return true;
    }
  } catch (err) {
    awake();
    throw err;
  }
  if (timeoutMs > 0) block(bell, BELL_RINGS, seen, timeoutMs, awake);
  else awake();
  return false;
}
