// Label selectors (`app=web,tier!=db,env in (a,b),!legacy`) and field selectors (`status.phase=Running`) as the API server parses them.
import { apiErrors } from './api-error.js';

type Labels = Record<string, string> | undefined;
export type Matcher = (labels: Labels) => boolean;

/** Splits on commas that are not inside parentheses. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

function checkKey(key: string, selector: string): void {
  if (!KEY.test(key)) throw apiErrors.badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${selector}"`);
}

function checkValue(value: string, selector: string): void {
  if (!VALUE.test(value) || value.length > 63) {
    throw apiErrors.badRequest(`unable to parse requirement: invalid label value "${value}" in selector "${selector}"`);
  }
}

/** Parses a label selector; an empty one matches everything. Throws a 400 ApiError naming what it cannot parse. */
export function parseLabelSelector(selector: string | null): Matcher {
  if (!selector) return () => true;
  const reqs: Matcher[] = splitTop(selector).map((req) => {
    let m = /^(\S+?)\s+(in|notin)\s*\((.*)\)$/.exec(req);
    if (m) {
      const [, key, op, list] = m;
      checkKey(key!, selector);
      const values = list!.split(',').map((v) => v.trim());
      values.forEach((v) => checkValue(v, selector));
      return op === 'in'
        ? (l: Labels) => l?.[key!] !== undefined && values.includes(l[key!]!)
        : (l: Labels) => l?.[key!] === undefined || !values.includes(l[key!]!);
    }
    m = /^(\S+?)\s*(==|!=|=)\s*(\S*)$/.exec(req);
    if (m) {
      const [, key, op, value] = m;
      checkKey(key!, selector);
      checkValue(value!, selector);
      return op === '!=' ? (l: Labels) => l?.[key!] !== value : (l: Labels) => l?.[key!] === value;
    }
    m = /^(!?)\s*(\S+)$/.exec(req);
    if (m) {
      const [, not, key] = m;
      checkKey(key!, selector);
      return not ? (l: Labels) => l?.[key!] === undefined : (l: Labels) => l?.[key!] !== undefined;
    }
    throw apiErrors.badRequest(`unable to parse requirement: found '${req}', expected: key, !key, key=value, key!=value, key in (values) or key notin (values)`);
  });
  return (labels) => reqs.every((r) => r(labels));
}

/** The values an object offers to field selectors, by field name (`metadata.name`, `status.phase`, ...). */
export type FieldSet = Record<string, string>;

/**
 * Parses a field selector against the fields a resource supports; `field=value`, `field==value`, `field!=value`,
 * joined by commas. An unsupported field is a 400, as it is for the API server.
 */
export function parseFieldSelector(selector: string | null, supported: readonly string[]): (fields: FieldSet) => boolean {
  if (!selector) return () => true;
  const reqs = splitTop(selector).map((req) => {
    const m = /^([^=!\s]+)\s*(==|!=|=)\s*(.*)$/.exec(req);
    if (!m) throw apiErrors.badRequest(`invalid field selector: "${req}": expected field=value, field==value or field!=value`);
    const [, field, op, value] = m;
    if (!supported.includes(field!)) throw apiErrors.badRequest(`field label not supported: ${field}`);
    return op === '!=' ? (f: FieldSet) => f[field!] !== value : (f: FieldSet) => (f[field!] ?? '') === value;
  });
  return (fields) => reqs.every((r) => r(fields));
}
