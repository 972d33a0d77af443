// The WASI errno a host-side shim call fails with, for tests that call the shim's classes directly.
import { WasiError } from '../../dist/shim/wasi/errno.js';

/** Runs `fn`: the errno of the WasiError it throws, or undefined when it returns (anything else is rethrown). */
export function errno(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof WasiError) return err.errno;
    throw err;
  }
  return undefined;
}
