// wasi:http/types `fields` (headers and trailers) and the method/scheme variants, as jco hands them to the host.

export type HeaderError = { tag: 'invalid-syntax' } | { tag: 'forbidden' } | { tag: 'immutable' };
export type Method = { tag: string; val?: string };
export type Scheme = { tag: 'HTTP' } | { tag: 'HTTPS' } | { tag: 'other'; val: string };

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const METHODS = ['get', 'head', 'post', 'put', 'delete', 'connect', 'options', 'trace', 'patch'];

export function methodOf(text: string): Method {
  const lower = text.toLowerCase();
  return METHODS.includes(lower) && text === text.toUpperCase() ? { tag: lower } : { tag: 'other', val: text };
}

export function methodText(m: Method): string {
  return m.tag === 'other' ? m.val ?? '' : m.tag.toUpperCase();
}

function checkValue(v: Uint8Array): void {
  for (const b of v) if (b === 0x0d || b === 0x0a || b === 0) throw { tag: 'invalid-syntax' } satisfies HeaderError;
}

export class Fields {
  private list: [string, Uint8Array][] = [];
  /** Set once the fields belong to a request or response that was sent or received: then they cannot change. */
  immutable = false;

  static fromList(entries: [string, Uint8Array][]): Fields {
    const f = new Fields();
    for (const [name, value] of entries) f.append(name, value);
    return f;
  }

  /** Fields the host builds from the wire: names are already lower-case tokens. */
  static received(entries: [string, Uint8Array][]): Fields {
    const f = new Fields();
    f.list = entries.map(([n, v]) => [n, Uint8Array.from(v)]);
    f.immutable = true;
    return f;
  }

  private writable(name: string): string {
    if (this.immutable) throw { tag: 'immutable' } satisfies HeaderError;
    if (!TOKEN.test(name)) throw { tag: 'invalid-syntax' } satisfies HeaderError;
    return name.toLowerCase();
  }

  get(name: string): Uint8Array[] {
    const n = name.toLowerCase();
    return this.list.filter(([k]) => k === n).map(([, v]) => v);
  }

  has(name: string): boolean { return this.get(name).length > 0; }

  set(name: string, values: Uint8Array[]): void {
    const n = this.writable(name);
    values.forEach(checkValue);
    this.list = this.list.filter(([k]) => k !== n);
    for (const v of values) this.list.push([n, Uint8Array.from(v)]);
  }

  delete(name: string): void {
    const n = this.writable(name);
    this.list = this.list.filter(([k]) => k !== n);
  }

  append(name: string, value: Uint8Array): void {
    const n = this.writable(name);
    checkValue(value);
    this.list.push([n, Uint8Array.from(value)]);
  }

  entries(): [string, Uint8Array][] { return this.list.map(([k, v]) => [k, v]); }

  clone(): Fields {
    const f = new Fields();
    f.list = this.entries();
    return f;
  }
}
