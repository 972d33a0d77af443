// Manifest text (YAML or JSON, several documents, `kind: List`) to validated, defaulted Pods, ConfigMaps and Secrets.

import YAML from 'yaml';
import { ManifestError, fieldError, type FieldError } from './errors.js';
import { decodeConfigMap, decodePod, decodeSecret, type NormalizeOptions } from './normalize.js';
import type { Manifest } from './types.js';
import { isRecord } from './walk.js';

export interface ParseOptions {
  /** Names the input in error messages, usually the file name. */
  source?: string;
  /** The folder relative image paths resolve against, usually the manifest's folder; default: the working directory. */
  baseDir?: string;
}

const SUPPORTED_KINDS = ['Pod', 'ConfigMap', 'Secret', 'List'];

interface DocContext {
  source?: string;
  document: number;
  baseDir?: string;
}

function docError(ctx: DocContext, title: string, causes: FieldError[], pos?: { line: number; col: number }): ManifestError {
  return new ManifestError({
    title,
    causes,
    titleOnly: true,
    document: ctx.document,
    ...(ctx.source !== undefined ? { source: ctx.source } : {}),
    ...(pos ? { line: pos.line, column: pos.col } : {}),
  });
}

/**
 * Parses a manifest: YAML or JSON, documents separated by `---`, each a v1 Pod, ConfigMap, Secret or a
 * List of them; empty documents are skipped. Every object is validated (see validate.ts) and defaulted
 * (see defaults.ts). Throws a ManifestError for the first document that is not usable, naming all its problems.
 */
export function parseManifest(text: string, opts: ParseOptions = {}): Manifest {
  const manifest: Manifest = { pods: [], configMaps: [], secrets: [] };
  const docs = YAML.parseAllDocuments(text.replace(/^\uFEFF/, ''), { prettyErrors: true, uniqueKeys: true });
  docs.forEach((doc, i) => {
    const ctx: DocContext = { document: i + 1, ...opts };
    const syntax = doc.errors[0];
    if (syntax) {
      // The library's message ends with an excerpt of the source, which could show a Secret's value: keep the first line only.
      const message = syntax.message.replace(/ at line \d+, column \d+[\s\S]*$/, '');
      const pos = syntax.linePos?.[0];
      const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
      throw docError(ctx, `YAML syntax error${where}: ${message}`, [{ field: '', message }], pos);
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      throw docError(ctx, `YAML error: ${(err as Error).message}`, [{ field: '', message: (err as Error).message }]);
    }
    if (value === null || value === undefined) return;
    addObject(manifest, value, ctx, undefined);
  });
  return manifest;
}

function addObject(manifest: Manifest, value: unknown, ctx: DocContext, prefix: string | undefined): void {
  const at = prefix ? `${prefix}: ` : '';
  const field = (name: string): string => (prefix ? `${prefix}.${name}` : name);
  if (!isRecord(value)) {
    const what = Array.isArray(value) ? 'an array' : typeof value;
    throw docError(ctx, `${at}must be an object (a Kubernetes resource), not ${what}`, [
      fieldError.type(prefix ?? '<root>', 'an object'),
    ]);
  }
  const kind = value['kind'];
  if (kind === undefined || kind === null || kind === '') {
    throw docError(ctx, `${at}kind is missing (supported: ${SUPPORTED_KINDS.join(', ')})`, [fieldError.required(field('kind'))]);
  }
  // A List holds objects, not further Lists.
  const allowed = prefix ? SUPPORTED_KINDS.filter((k) => k !== 'List') : SUPPORTED_KINDS;
  if (typeof kind !== 'string' || !allowed.includes(kind)) {
    const name = typeof kind === 'string' ? kind : JSON.stringify(kind);
    throw docError(ctx, `${at}kind ${name} is not supported (supported: ${allowed.join(', ')})`, [
      fieldError.unsupportedValue(field('kind'), kind, allowed),
    ]);
  }
  const opts: NormalizeOptions = {
    document: ctx.document,
    ...(ctx.source !== undefined ? { source: ctx.source } : {}),
    ...(ctx.baseDir !== undefined ? { baseDir: ctx.baseDir } : {}),
    ...(prefix !== undefined ? { prefix } : {}),
  };
  switch (kind) {
    case 'Pod': return void manifest.pods.push(decodePod(value, opts));
    case 'ConfigMap': return void manifest.configMaps.push(decodeConfigMap(value, opts));
    case 'Secret': return void manifest.secrets.push(decodeSecret(value, opts));
    default: return addList(manifest, value, ctx);
  }
}

function addList(manifest: Manifest, list: Record<string, unknown>, ctx: DocContext): void {
  const causes: FieldError[] = [];
  if (list['apiVersion'] !== 'v1') {
    causes.push(list['apiVersion'] == null ? fieldError.required('apiVersion') : fieldError.unsupportedValue('apiVersion', list['apiVersion'], ['v1']));
  }
  const items = list['items'] ?? [];
  if (!Array.isArray(items)) causes.push(fieldError.type('items', 'an array of objects'));
  for (const key of Object.keys(list)) {
    if (!['apiVersion', 'kind', 'metadata', 'items'].includes(key)) causes.push(fieldError.unknownField(key));
  }
  if (causes.length > 0) throw new ManifestError({ title: 'invalid List', causes, document: ctx.document, ...(ctx.source !== undefined ? { source: ctx.source } : {}) });
  (items as unknown[]).forEach((item, i) => addObject(manifest, item, ctx, `items[${i}]`));
}
