// Relaying a host TCP connection into a pod's port, and ending it with a reset (RST), as a refused or broken
// connection is, without hanging Node.
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

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

/**
 * Carries the host connection `sock` into the stream `open` gives (a port of a pod, however the backend
 * reaches it), both ways; a connection nothing in the pod accepts is reset, as a refused one would be, and
 * a broken stream resets it too. What the client sends while the stream is being opened waits.
 */
export function relayInto(sock: Socket, open: () => Duplex | Promise<Duplex>): void {
  sock.pause();
  sock.on('error', () => undefined);
  Promise.resolve().then(open).then((stream) => {
    // The client may have gone (or the pod been unpublished) while the stream was being opened.
    if (sock.destroyed) return void stream.destroy();
    stream.on('error', () => resetSocket(sock));
    sock.on('error', () => stream.destroy());
    sock.on('close', () => stream.destroy());
    sock.pipe(stream).pipe(sock);
    sock.resume();
  }, () => resetSocket(sock));
}
