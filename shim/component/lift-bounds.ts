// Bounds on what jco's generated bindings lift out of a component's memory: a string or a list the guest passes
// to the host becomes a JS value in the worker's heap, whose size the guest chooses. A list lifted into one JS
// array grows one backing store, and a worker whose heap limit is reached that way aborts the whole process
// (Node's resourceLimits only end a worker whose heap fills gradually; on Node 24 an array pushed past the
// limit is a fatal error of the process), so each is bounded before the bindings build it.

/** The longest string (in bytes) a guest may pass to the host: a path, a name, a header is far shorter. */
export const MAX_LIFTED_STRING_BYTES = 16 << 20;
/** The most items of a list lifted into a JS array (handles to poll, header fields...). */
export const MAX_LIFTED_LIST_ITEMS = 1 << 20;

export class LiftLimitError extends Error {
  override readonly name = 'LiftLimitError';
}

export interface LiftBounds {
  decoder(encoding?: string): { decode(bytes: ArrayBufferView): string };
  list(length: number): void;
}

export const LIFT_BOUNDS: LiftBounds = {
  decoder(encoding = 'utf-8') {
    const inner = new TextDecoder(encoding);
    return {
      decode(bytes: ArrayBufferView): string {
        if (bytes.byteLength > MAX_LIFTED_STRING_BYTES) {
          throw new LiftLimitError(`the component passed the host a string of ${bytes.byteLength} bytes, more than the ${MAX_LIFTED_STRING_BYTES} it takes`);
        }
        return inner.decode(bytes as Uint8Array);
      },
    };
  },
  list(length: number): void {
    if (length > MAX_LIFTED_LIST_ITEMS) {
      throw new LiftLimitError(`the component passed the host a list of ${length} items, more than the ${MAX_LIFTED_LIST_ITEMS} it takes`);
    }
  },
};

/**
 * Rewrites jco's generated bindings so that every string they decode and every list they lift item by item is
 * bounded (LIFT_BOUNDS, passed in as `__bounds`). Bindings that decode text some other way are refused: they
 * would lift strings of any length.
 */
export function boundLifting(source: string): string {
  const out = source
    .replace(/\bconst TEXT_DECODER_UTF8 = new TextDecoder\(\);/g, 'const TEXT_DECODER_UTF8 = __bounds.decoder();')
    .replace(/\bconst utf16Decoder = new TextDecoder\('utf-16'\);/g, "const utf16Decoder = __bounds.decoder('utf-16');")
    .replace(/\bfor \(let i = 0; i < (len\d+); i\+\+\) \{/g, '__bounds.list($1); for (let i = 0; i < $1; i++) {');
  if (/\bnew TextDecoder\b/.test(out)) throw new Error('the component\'s bindings decode strings in a way wasmpod cannot bound');
  return out;
}
