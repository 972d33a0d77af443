// Durations on the command line as Kubernetes' tools take them (Go's time.ParseDuration): a sequence of decimal
// numbers each with a unit, `1h0m0s`, `90s`, `1.5h`, `500ms`; units ns, us (or µs), ms, s, m, h.

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** The duration `text` in milliseconds; throws, naming `flag`, when it is not one (a bare number needs a unit, as in Go, unless it is 0). */
export function parseDuration(text: string, flag: string): number {
  const bad = (): Error => new Error(`${flag} must be a duration such as 1h, 90s or 500ms, not "${text}"`);
  if (text === '0') return 0;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let ms = 0;
  let at = 0;
  while (at < text.length) {
    part.lastIndex = at;
    const m = part.exec(text);
    if (!m) throw bad();
    ms += Number(m[1]) * UNIT_MS[m[2]!]!;
    at = part.lastIndex;
  }
  if (at === 0 || !Number.isFinite(ms)) throw bad();
  return ms;
}
