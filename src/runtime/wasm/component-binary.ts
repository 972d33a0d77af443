// Reads a WebAssembly component's preamble and its top-level import and export names, from the binary format of the component model.

/** A component's preamble: "\0asm", then version 0x0d (13) and layer 1; a core module has version 1, layer 0. */
export function isComponent(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d &&
    bytes[6] === 1 && bytes[7] === 0;
}

export class ComponentFormatError extends Error {}

class Reader {
  pos: number;
  constructor(private readonly b: Uint8Array, start: number, readonly end: number) {
    this.pos = start;
  }

  byte(): number {
    if (this.pos >= this.end) throw new ComponentFormatError('unexpected end of section');
    return this.b[this.pos++]!;
  }

  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const x = this.byte();
      result += (x & 0x7f) * 2 ** shift;
      if ((x & 0x80) === 0) return result;
    }
    throw new ComponentFormatError('bad LEB128 number');
  }

  /** A signed LEB128 of up to 33 bits (a value type that is a type index); only its length matters here. */
  s33(): void {
    for (let i = 0; i < 5; i++) if ((this.byte() & 0x80) === 0) return;
    throw new ComponentFormatError('bad LEB128 number');
  }

  name(): string {
    const len = this.u32();
    if (this.pos + len > this.end) throw new ComponentFormatError('name runs past its section');
    const s = Buffer.from(this.b.buffer, this.b.byteOffset + this.pos, len).toString('utf8');
    this.pos += len;
    return s;
  }
}

/** externdesc: what an import or export is; its bytes are skipped, only names matter here. */
function skipExternDesc(r: Reader): void {
  const kind = r.byte();
  switch (kind) {
    case 0x00: r.byte(); r.u32(); return; // core module type
    case 0x01: case 0x04: case 0x05: r.u32(); return; // func, component, instance type index
    case 0x02: // value bound
      if (r.byte() === 0x00) r.u32();
      else r.s33();
      return;
    case 0x03: // type bound: eq(typeidx) or sub resource
      if (r.byte() === 0x00) r.u32();
      return;
    default: throw new ComponentFormatError(`unknown extern kind 0x${kind.toString(16)}`);
  }
}

function externName(r: Reader): string {
  const tag = r.byte();
  if (tag !== 0x00 && tag !== 0x01) throw new ComponentFormatError(`unknown name encoding 0x${tag.toString(16)}`);
  return r.name();
}

export interface ComponentNames {
  imports: string[];
  exports: string[];
}

/** The names a component imports and exports at its top level (nested components' own imports are inside it). */
export function componentNames(bytes: Uint8Array): ComponentNames {
  const out: ComponentNames = { imports: [], exports: [] };
  const top = new Reader(bytes, 8, bytes.length);
  while (top.pos < top.end) {
    const id = top.byte();
    const size = top.u32();
    const end = top.pos + size;
    if (end > bytes.length) throw new ComponentFormatError('a section runs past the end of the file');
    const r = new Reader(bytes, top.pos, end);
    if (id === 10) {
      for (let n = r.u32(); n > 0; n--) {
        out.imports.push(externName(r));
        skipExternDesc(r);
      }
    } else if (id === 11) {
      for (let n = r.u32(); n > 0; n--) {
        out.exports.push(externName(r));
        if (r.byte() === 0x00) r.byte(); // sort: a core sort takes a second byte
        r.u32();
        if (r.byte() === 0x01) skipExternDesc(r);
      }
    }
    top.pos = end;
  }
  return out;
}
