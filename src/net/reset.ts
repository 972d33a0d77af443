// Ending a host TCP connection with a reset (RST), as a refused or broken connection is, without hanging Node.
import type { Socket } from 'node:net';

/**
 * Resets `sock` when that is still possible, else destroys it. Once its writable side has ended (a
 * shutdown is under way) libuv refuses the reset, and Node 20 and 24 then mark the handle as closing
 * without closing it: the process can no longer exit (it spins in its exit clean-up). A socket whose
 * end was already sent cannot be reset anyway: destroying it is what is left to do.
 */
export function resetSocket(sock: Socket): void {
  if (sock.destroyed) return;
  if (sock.writableEnded || sock.writableFinished) sock.destroy();
  else sock.resetAndDestroy();
}
