// One end of an established stream connection: the ring it reads, the ring it writes, and how that end closes.
import { ByteRing, READER_CLOSED, WRITER_CLOSED } from '../ring/byte-ring.js';
import { PEER_RESET, type ConnInit } from './protocol.js';

export class Conn {
  readonly rx: ByteRing;
  readonly tx: ByteRing;

  constructor(readonly init: ConnInit) {
    const peerBell = new Int32Array(init.peerBell);
    this.rx = new ByteRing(init.rx);
    this.tx = new ByteRing(init.tx);
    // Bytes read free space the peer may be polling for; bytes written are data it may be polling for.
    this.rx.writerBell = peerBell;
    this.tx.readerBell = peerBell;
  }

  /** Either side reset the connection. */
  reset(): boolean {
    return ((this.rx.closedFlags() | this.tx.closedFlags()) & PEER_RESET) !== 0;
  }

  /**
   * Closes this end: the peer reads EOF after the bytes already sent, or ECONNRESET when this end drops
   * bytes it never read (TCP sends RST then) or `reset` is asked for (a backlog thrown away).
   */
  close(reset = false): void {
    const flag = reset || this.rx.available() > 0 ? PEER_RESET : 0;
    this.tx.close(WRITER_CLOSED | flag);
    this.rx.close(READER_CLOSED | flag);
  }

  /** This end has been closed (by its owner or for it): nothing more will move. */
  closed(): boolean {
    return (this.tx.closedFlags() & WRITER_CLOSED) !== 0 && (this.rx.closedFlags() & READER_CLOSED) !== 0;
  }
}
