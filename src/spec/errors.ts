// Manifest errors and the Kubernetes-style field error helpers (`spec.containers[0].image: Required value`).

/** One problem found in a manifest, at a Kubernetes field path such as `spec.containers[1].ports[0]`. */
export interface FieldError {
  field: string;
  message: string;
}

export interface ManifestErrorInit {
  /** The first line of the message, after the source and document. */
  title: string;
  causes: FieldError[];
  source?: string;
  document?: number;
  line?: number;
  column?: number;
  /** The title says it all (a document-level error): do not list the causes under it. */
  titleOnly?: boolean;
}

/**
 * A manifest that cannot be used. `message` is readable as is:
 * `pod.yaml (document 1): invalid Pod "web"` followed by one `  <field>: <message>` line per cause.
 * Messages never carry a Secret's values: errors about Secret data name the key only.
 */
export class ManifestError extends Error {
  readonly code = 'ERR_MANIFEST_INVALID';
  readonly causes: FieldError[];
  readonly source?: string;
  readonly document?: number;
  readonly line?: number;
  readonly column?: number;

  constructor(init: ManifestErrorInit) {
    super(formatMessage(init));
    this.name = 'ManifestError';
    this.causes = init.causes;
    if (init.source !== undefined) this.source = init.source;
    if (init.document !== undefined) this.document = init.document;
    if (init.line !== undefined) this.line = init.line;
    if (init.column !== undefined) this.column = init.column;
  }
}

function formatMessage(init: ManifestErrorInit): string {
  const doc = init.document === undefined ? undefined : `document ${init.document}`;
  const where = init.source === undefined ? doc : doc === undefined ? init.source : `${init.source} (${doc})`;
  const head = where === undefined ? init.title : `${where}: ${init.title}`;
  const lines = init.titleOnly ? [] : init.causes.filter((c) => c.field !== '').map((c) => `  ${c.field}: ${c.message}`);
  return [head, ...lines].join('\n');
}

/**
 * Orders errors by field path, array indices by number (`[2]` before `[10]`), keeping the order of errors
 * on the same field: the errors of one container read together.
 */
export function sortErrors(errors: FieldError[]): FieldError[] {
  const key = (field: string): (string | number)[] =>
    [...field.matchAll(/\[([^\]]*)\]|([^.[\]]+)/g)].map(([, bracket, plain]) =>
      bracket !== undefined && /^\d+$/.test(bracket) ? Number(bracket) : (bracket ?? plain ?? ''));
  const cmp = (a: FieldError, b: FieldError): number => {
    const ka = key(a.field);
    const kb = key(b.field);
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
      const x = ka[i]!;
      const y = kb[i]!;
      if (x === y) continue;
      if (typeof x === 'number' && typeof y === 'number') return x - y;
      return String(x) < String(y) ? -1 : 1;
    }
    return ka.length - kb.length;
  };
  return [...errors].sort(cmp);
}

/** Quotes a value the way Kubernetes prints it in field errors. */
export function quote(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

// Constructors named after Kubernetes' field.ErrorType, so messages read like the API server's.
export const fieldError = {
  required: (field: string, detail?: string): FieldError => ({ field, message: detail ? `Required value: ${detail}` : 'Required value' }),
  invalid: (field: string, detail: string): FieldError => ({ field, message: detail }),
  duplicate: (field: string, value: unknown): FieldError => ({ field, message: `Duplicate value: ${quote(value)}` }),
  notFound: (field: string, value: unknown): FieldError => ({ field, message: `Not found: ${quote(value)}` }),
  forbidden: (field: string, detail: string): FieldError => ({ field, message: `Forbidden: ${detail}` }),
  unsupportedValue: (field: string, value: unknown, allowed: readonly string[]): FieldError => ({
    field,
    message: `Unsupported value: ${quote(value)}: supported values: ${allowed.map((a) => JSON.stringify(a)).join(', ')}`,
  }),
  notSupportedYet: (field: string, reason?: string): FieldError => ({ field, message: reason ? `not supported yet: ${reason}` : 'not supported yet' }),
  unknownField: (field: string): FieldError => ({ field, message: `unknown field ${JSON.stringify(lastSegment(field))}` }),
  type: (field: string, expected: string): FieldError => ({ field, message: `must be ${expected}` }),
};

function lastSegment(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? path : path.slice(dot + 1);
}
