// Hand-assembled test modules: a wasm start function that runs at instantiation, before any run is bound.

/**
 * A module whose wasm start function is `body` (its locals, then its code and final 0x0b), with no imports, a
 * one-page memory and an empty `_start`: type 0 [] -> []; funcs 0 (the start function) and 1 (_start); exports
 * memory and _start; start 0. Bodies here stay under 128 bytes (one-byte sizes).
 */
export function startFunctionModule(body: number[]): Buffer {
  const section = (id: number, bytes: number[]): number[] => [id, bytes.length, ...bytes];
  const name = (s: string): number[] => [s.length, ...Buffer.from(s)];
  return Buffer.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(0x01, [0x01, 0x60, 0x00, 0x00]),
    ...section(0x03, [0x02, 0x00, 0x00]),
    ...section(0x05, [0x01, 0x00, 0x01]),
    ...section(0x07, [0x02, ...name('memory'), 0x02, 0x00, ...name('_start'), 0x00, 0x01]),
    ...section(0x08, [0x00]),
    ...section(0x0a, [0x02, body.length, ...body, 0x02, 0x00, 0x0b]),
  ]);
}
