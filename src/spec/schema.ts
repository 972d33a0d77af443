// A small description language for Kubernetes object shapes: field names and types, walked by walk.ts.

export type FieldType =
  | { readonly kind: 'string'; readonly enum?: readonly string[] }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'integer'; readonly bits: 32 | 64 }
  | { readonly kind: 'quantity' }
  | { readonly kind: 'intOrString' }
  | { readonly kind: 'time' }
  | { readonly kind: 'array'; readonly items: FieldType }
  | { readonly kind: 'map'; readonly values: FieldType }
  | { readonly kind: 'object'; readonly fields: Fields }
  | { readonly kind: 'any' };

export type Fields = { readonly [name: string]: FieldType };

export const str: FieldType = { kind: 'string' };
export const bool: FieldType = { kind: 'boolean' };
export const int32: FieldType = { kind: 'integer', bits: 32 };
export const int64: FieldType = { kind: 'integer', bits: 64 };
export const quantity: FieldType = { kind: 'quantity' };
export const intOrString: FieldType = { kind: 'intOrString' };
export const time: FieldType = { kind: 'time' };
/** Accepted as is: fields whose content nothing here reads (managedFields, cloud volume sources). */
export const any: FieldType = { kind: 'any' };

export const oneOf = (...values: string[]): FieldType => ({ kind: 'string', enum: values });
export const arr = (items: FieldType): FieldType => ({ kind: 'array', items });
export const map = (values: FieldType): FieldType => ({ kind: 'map', values });
export const obj = (fields: Fields): FieldType => ({ kind: 'object', fields });

export const strings = arr(str);
export const stringMap = map(str);
export const resourceList = map(quantity);
/** An object whose fields nothing here reads (cloud volume sources, managedFields entries). */
export const opaque = map(any);

/** "a string", "an array of strings": the phrase a type error uses (`must be an array of strings`). */
export function describe(type: FieldType): string {
  switch (type.kind) {
    case 'string': return 'a string';
    case 'boolean': return 'a boolean';
    case 'integer': return type.bits === 32 ? 'a 32-bit integer' : 'an integer';
    case 'quantity': return 'a quantity (a string such as "128Mi" or a number)';
    case 'intOrString': return 'an integer or a string';
    case 'time': return 'an RFC 3339 date-time string';
    case 'array': return `an array of ${plural(type.items)}`;
    case 'map': return type.values.kind === 'any' ? 'an object' : `a map of ${plural(type.values)}`;
    case 'object': return 'an object';
    case 'any': return 'a value';
  }
}

function plural(type: FieldType): string {
  switch (type.kind) {
    case 'string': return 'strings';
    case 'boolean': return 'booleans';
    case 'integer': return 'integers';
    case 'quantity': return 'quantities';
    case 'intOrString': return 'integers or strings';
    case 'time': return 'date-times';
    case 'array': return 'arrays';
    case 'map': return 'maps';
    case 'object': return 'objects';
    case 'any': return 'values';
  }
}

export function isScalar(type: FieldType): boolean {
  return type.kind !== 'array' && type.kind !== 'map' && type.kind !== 'object' && type.kind !== 'any';
}

/** Every field path pattern of a schema (`spec.containers[].ports[].name`), for tooling and the support table test. */
export function fieldPatterns(type: FieldType, prefix = ''): string[] {
  const out: string[] = [];
  const visit = (t: FieldType, p: string): void => {
    if (t.kind === 'array') visit(t.items, `${p}[]`);
    else if (t.kind === 'object') {
      for (const [name, ft] of Object.entries(t.fields)) {
        const child = p === '' ? name : `${p}.${name}`;
        out.push(child);
        visit(ft, child);
      }
    }
  };
  visit(type, prefix);
  return out;
}
