// Streams from the host into a port of a pod's network namespace, each carried by a `pause --relay` process.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Duplex } from 'node:stream';
import { WasmpodError } from '../../errors.js';

/** Nothing in the pod accepted the connection (or the namespace is gone). */
export class PodDialError extends WasmpodError {
  readonly code = 'ERR_POD_DIAL';
}

/** The relay's stdout as the readable side, its stdin as the writable side; ending the relay ends the stream. */
class RelayStream extends Duplex {
  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    super({ allowHalfOpen: true });
    child.stdout.on('data', (c: Buffer) => { if (!this.push(c)) child.stdout.pause(); });
    child.stdout.on('end', () => this.push(null));
    child.stdin.on('error', () => undefined);
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.child.stdin.write(chunk, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    // A half-close carries no bytes: if the relay has already ended (the pod answered and closed first),
    // there is nothing to lose, and the answer it passed on must still reach the client, not a reset.
    this.child.stdin.end(() => cb());
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    // Destroying stdin drops a write still pending to the relay; one left pending holds Node at exit.
    this.child.stdin.destroy();
    this.child.kill('SIGKILL');
    cb(err);
  }
}

/**
 * Connects to 127.0.0.1:`port` inside the network namespace of `pid` (the pause process). Node cannot
 * enter a namespace itself, so a relay process does (setns) and carries the bytes over its stdio;
 * destroying the stream kills it. Resolves once connected; rejects with PodDialError naming why not. With
 * `userns` (a rootless pod) the relay enters the pod's user namespace first: only there may we enter its network.
 */
export function dialNetns(pauseBinary: string, pid: number, port: number, userns = false): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const args = ['--relay', `/proc/${pid}/ns/net`, String(port), ...(userns ? [`/proc/${pid}/ns/user`] : [])];
    const child = spawn(pauseBinary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    // A relay lives as long as the connection it carries, and that connection (a host socket, a probe's
    // client) is what keeps this process busy: the relay itself must never keep the runtime's process alive.
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref(): void }).unref();
    let said = '';
    const onErr = (c: Buffer): void => {
      said += c.toString('utf8');
      if (!said.includes('\n')) return;
      child.stderr.off('data', onErr);
      if (said.startsWith('ok\n')) {
        resolve(new RelayStream(child));
      } else {
        reject(new PodDialError(`cannot connect to port ${port} of the pod: ${said.trim().replace(/^pause: /, '')}`));
      }
    };
    child.stderr.on('data', onErr);
    child.on('error', (e) => reject(new PodDialError(`cannot start the relay ${pauseBinary}: ${e.message}`)));
    child.on('exit', () => reject(new PodDialError(`cannot connect to port ${port} of the pod: ${said.trim() || 'the relay ended'}`)));
  });
}
