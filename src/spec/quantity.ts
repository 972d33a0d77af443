// Kubernetes resource quantities (`128Mi`, `1G`, `500m`, `0.5`, `1e3`) parsed exactly, as bytes or millicores.

import { QUANTITY_SYNTAX_MESSAGE } from './names.js';

export class QuantityError extends Error {
  readonly code = 'ERR_QUANTITY_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'QuantityError';
  }
}

/*
 * The grammar, from apimachinery's resource.Quantity:
 *   quantity  ::= [+-] number suffix
 *   number    ::= digits | digits "." digits | digits "." | "." digits
 *   suffix    ::= binarySI | decimalSI | ("e" | "E") [+-] digits
 *   binarySI  ::= Ki | Mi | Gi | Ti | Pi | Ei        (powers of 1024)
 *   decimalSI ::= n | u | m | "" | k | M | G | T | P | E
 */
const GRAMMAR = /^([+-]?)(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

const BINARY_EXP2: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_EXP10: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

// Bounds the BigInt arithmetic; far beyond any real memory or cpu amount.
const MAX_EXP10 = 300;

/** An exact quantity: the rational number `num / den`, with `den > 0`. */
export class Quantity {
  private constructor(
    readonly num: bigint,
    readonly den: bigint,
    private readonly text: string,
  ) {}

  /** Parses a quantity as written in a manifest; YAML may hand over a plain number. */
  static parse(input: string | number): Quantity {
    const text = typeof input === 'number' ? numberText(input) : input;
    const m = GRAMMAR.exec(text);
    if (!m) throw new QuantityError(QUANTITY_SYNTAX_MESSAGE);
    const [, sign, number, suffix = ''] = m as unknown as [string, string, string, string | undefined];
    const [intPart = '', fracPart = ''] = number.split('.');
    let exp10 = -fracPart.length;
    let exp2 = 0;
    if (suffix in BINARY_EXP2) exp2 = BINARY_EXP2[suffix]!;
    else if (suffix in DECIMAL_EXP10) exp10 += DECIMAL_EXP10[suffix]!;
    else exp10 += Number(suffix.slice(1));
    if (!Number.isSafeInteger(exp10) || Math.abs(exp10) > MAX_EXP10) throw new QuantityError('quantity is out of range');
    let num = BigInt(intPart + fracPart || '0') * 2n ** BigInt(exp2);
    let den = 1n;
    if (exp10 >= 0) num *= 10n ** BigInt(exp10);
    else den = 10n ** BigInt(-exp10);
    if (sign === '-') num = -num;
    return new Quantity(num, den, text);
  }

  /** The value rounded up to a whole unit, as Kubernetes' Value() does (memory: bytes). */
  value(): number {
    return Number(ceilDiv(this.num, this.den));
  }

  /** The value in thousandths rounded up, as Kubernetes' MilliValue() does (cpu: millicores). */
  milliValue(): number {
    return Number(ceilDiv(this.num * 1000n, this.den));
  }

  sign(): -1 | 0 | 1 {
    return this.num < 0n ? -1 : this.num > 0n ? 1 : 0;
  }

  compare(other: Quantity): -1 | 0 | 1 {
    const a = this.num * other.den;
    const b = other.num * this.den;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  toString(): string {
    return this.text;
  }
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new QuantityError(QUANTITY_SYNTAX_MESSAGE);
  return String(n);
}

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b > 0n ? q + 1n : q;
}

export function parseQuantity(input: string | number): Quantity {
  return Quantity.parse(input);
}

/** A memory quantity in bytes (fractions of a byte round up). */
export function memoryBytes(input: string | number): number {
  return Quantity.parse(input).value();
}

/** A cpu quantity in millicores (`1` is 1000, `500m` is 500, `0.1` is 100). */
export function cpuMillis(input: string | number): number {
  return Quantity.parse(input).milliValue();
}
