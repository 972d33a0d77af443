// The termination notice: WASI has no signals, so "SIGTERM" is an fd that reaches EOF when the pod asks the container to stop.
//
// A container asks for it by declaring the variable WASMPOD_TERMINATION_FD in its env (any value): wasmpod
// opens the notice after the preopens and sets the variable to its fd number. A guest that has read or
// polled the fd has "installed a SIGTERM handler" and gets the pod's grace period to finish; any other
// guest keeps SIGTERM's default action and ends at once.
import { StreamIn } from './stdio.js';
import type { Readiness } from './fd-object.js';
import { ByteRing } from '../ring/byte-ring.js';

export interface TerminationInit {
  ring: { sab: SharedArrayBuffer };
  /** Int32 word 0: 1 once the guest has read or polled the notice. */
  armed: SharedArrayBuffer;
}

export const TERMINATION_FD_ENV = 'WASMPOD_TERMINATION_FD';

export class TerminationNotice extends StreamIn {
  private readonly armed: Int32Array;

  constructor(init: TerminationInit) {
    super(new ByteRing(init.ring));
    this.armed = new Int32Array(init.armed);
  }

  private arm(): void {
    if (Atomics.load(this.armed, 0) === 0) Atomics.store(this.armed, 0, 1);
  }

  read(bufs: Uint8Array[]): number {
    this.arm();
    return super.read(bufs);
  }

  readiness(): Readiness {
    this.arm();
    return super.readiness();
  }
}
