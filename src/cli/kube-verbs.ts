// `wasmpod get|describe|apply|delete`: kubectl's verbs against a running server, printing what kubectl prints.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseManifest } from '../spec/index.js';
import type { Pod } from '../spec/types.js';
import { ApiClient, ServerError, resourceName, resourceUrl, singular, type ClientOptions } from './client.js';
import { printTable } from './table-print.js';
import { describePod } from './describe.js';
import { formatObjects } from './kube-print.js';

export interface VerbOptions extends ClientOptions {
  namespace?: string;
  allNamespaces?: boolean;
  output?: string;
  selector?: string;
  /** false with --no-headers (commander's negated option). */
  headers?: boolean;
  filename?: string;
  gracePeriod?: string;
  wait?: boolean;
}

type Write = (s: string) => void;

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

/** `TYPE NAME...` or `TYPE/NAME...` to a resource and names. */
function targets(args: string[]): { resource: string; names: string[] } {
  if (args.length === 0) throw new Error('you must specify the type of resource to get (pods, configmaps, secrets, namespaces, events)');
  if (args[0]!.includes('/')) {
    const pairs = args.map((a) => a.split('/'));
    const resource = resourceName(pairs[0]![0]!);
    if (pairs.some((p) => p.length !== 2 || resourceName(p[0]!) !== resource)) throw new Error('TYPE/NAME arguments must all name one type');
    return { resource, names: pairs.map((p) => p[1]!) };
  }
  return { resource: resourceName(args[0]!), names: args.slice(1) };
}

function checkOutput(o: string | undefined, allowed = ['json', 'yaml', 'wide', 'name']): void {
  if (o && !allowed.includes(o)) throw new Error(`--output must be ${allowed.slice(0, -1).join(', ')}${allowed.length > 1 ? ' or ' : ''}${allowed.at(-1)}, not "${o}"`);
}

function printObjects(items: any[], single: boolean, output: string, write: Write): void {
  write(formatObjects(items, single, output as 'json' | 'yaml'));
}

/** `wasmpod get TYPE [NAME...]`. */
export async function getCommand(args: string[], opts: VerbOptions, write: Write): Promise<number> {
  checkOutput(opts.output);
  const client = new ApiClient(opts);
  const { resource, names } = targets(args);
  const ns = opts.allNamespaces ? undefined : opts.namespace ?? 'default';
  const q = opts.selector ? `?labelSelector=${encodeURIComponent(opts.selector)}` : '';
  const structured = opts.output === 'json' || opts.output === 'yaml';
  if (names.length > 0) {
    const objs = await Promise.all(names.map(async (n) =>
      (await client.request('GET', resourceUrl(resource, ns ?? 'default', n), undefined, structured ? {} : { Accept: TABLE })).body));
    if (structured) printObjects(objs, names.length === 1, opts.output!, write);
    else if (opts.output === 'name') for (const n of names) write(`${singular(resource)}/${n}\n`);
    else write(printTable({ columnDefinitions: objs[0].columnDefinitions, rows: objs.flatMap((o) => o.rows) }, { wide: opts.output === 'wide', noHeaders: opts.headers === false }));
    return 0;
  }
  const url = resourceUrl(resource, ns) + q;
  if (structured || opts.output === 'name') {
    const list = (await client.request('GET', url)).body;
    if (opts.output === 'name') for (const o of list.items) write(`${singular(resource)}/${o.metadata.name}\n`);
    else printObjects(list.items.map((o: any) => ({ apiVersion: 'v1', kind: list.kind.replace(/List$/, ''), ...o })), false, opts.output!, write);
    return 0;
  }
  const table = (await client.request('GET', url, undefined, { Accept: TABLE })).body;
  const text = printTable(table, { wide: opts.output === 'wide', namespaces: opts.allNamespaces && resource !== 'namespaces', noHeaders: opts.headers === false }, ns);
  if (text) write(text);
  else process.stderr.write(ns && resource !== 'namespaces' ? `No resources found in ${ns} namespace.\n` : 'No resources found\n');
  return 0;
}

/** `wasmpod describe pod NAME`. */
export async function describeCommand(args: string[], opts: VerbOptions, write: Write): Promise<number> {
  const { resource, names } = targets(args);
  if (resource !== 'pods' || names.length !== 1) throw new Error('wasmpod describe takes one pod: wasmpod describe pod NAME');
  const client = new ApiClient(opts);
  const ns = opts.namespace ?? 'default';
  const pod = (await client.request('GET', resourceUrl('pods', ns, names[0]))).body as Pod;
  const sel = encodeURIComponent(`involvedObject.name=${pod.metadata.name},involvedObject.namespace=${ns},involvedObject.uid=${pod.metadata.uid}`);
  const events = (await client.request('GET', `${resourceUrl('events', ns)}?fieldSelector=${sel}`)).body.items;
  write(describePod(pod, events));
  return 0;
}

/** The objects of a manifest file, each with its resource, ready to send (server-assigned metadata left out). */
function manifestObjects(file: string): { resource: string; obj: any }[] {
  const text = fs.readFileSync(file, 'utf8');
  const source = path.resolve(file);
  const m = parseManifest(text, { source: file, baseDir: path.dirname(source) });
  const strip = (o: any, resource: string) => {
    const { uid: _u, creationTimestamp: _c, resourceVersion: _r, ...metadata } = o.metadata;
    return { resource, obj: { ...o, metadata } };
  };
  // In the file's order, which parseManifest keeps per kind: ConfigMaps and Secrets first, so pods find them.
  return [...m.configMaps.map((o) => strip(o, 'configmaps')), ...m.secrets.map((o) => strip(o, 'secrets')), ...m.pods.map((o) => strip(o, 'pods'))];
}

/** `wasmpod apply -f FILE`: creates what is missing, patches what differs; prints created, configured or unchanged. */
export async function applyCommand(opts: VerbOptions, write: Write): Promise<number> {
  if (!opts.filename) throw new Error('wasmpod apply needs -f FILE');
  checkOutput(opts.output, ['json', 'yaml', 'name']);
  const client = new ApiClient(opts);
  const objects = manifestObjects(opts.filename);
  const applied: any[] = [];
  // With -o, kubectl prints the objects as the server returned them instead of the created/configured lines.
  const report = (what: string, verb: string, obj: any): void => {
    if (opts.output === 'name') write(`${what}\n`);
    else if (opts.output) applied.push(obj);
    else write(`${what} ${verb}\n`);
  };
  for (const { resource, obj } of objects) {
    const ns = opts.namespace ?? obj.metadata.namespace ?? 'default';
    obj.metadata.namespace = ns;
    const url = resourceUrl(resource, ns, obj.metadata.name);
    const what = `${singular(resource)}/${obj.metadata.name}`;
    let cur: any;
    try {
      cur = (await client.request('GET', url)).body;
    } catch (err) {
      if (!(err instanceof ServerError && err.status === 404)) throw err;
      report(what, 'created', (await client.request('POST', resourceUrl(resource, ns), obj)).body);
      continue;
    }
    const next = (await client.request('PATCH', url, obj, { 'Content-Type': 'application/strategic-merge-patch+json' })).body;
    report(what, next.metadata.resourceVersion === cur.metadata.resourceVersion ? 'unchanged' : 'configured', next);
  }
  if (applied.length > 0) write(formatObjects(applied, applied.length === 1, opts.output as 'json' | 'yaml', 'apply'));
  return 0;
}

/** Waits until the object is gone (as `kubectl delete` waits by default), polling. */
async function gone(client: ApiClient, url: string): Promise<void> {
  for (;;) {
    try {
      await client.request('GET', url);
    } catch (err) {
      if (err instanceof ServerError && err.status === 404) return;
      throw err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `wasmpod delete TYPE NAME...` or `-f FILE`, with --grace-period; waits for each object to be gone. */
export async function deleteCommand(args: string[], opts: VerbOptions, write: Write): Promise<number> {
  const client = new ApiClient(opts);
  const grace = opts.gracePeriod === undefined ? undefined : Number(opts.gracePeriod);
  if (grace !== undefined && !(Number.isInteger(grace) && grace >= 0)) throw new Error('--grace-period must be a whole number of seconds, 0 or more');
  if (opts.output !== undefined && opts.output !== 'name') throw new Error(`unexpected -o output mode: ${opts.output}. We only support '-o name'`);
  const list = opts.filename
    ? manifestObjects(opts.filename).map(({ resource, obj }) => ({ resource, name: obj.metadata.name as string, ns: opts.namespace ?? obj.metadata.namespace ?? 'default' }))
    : (() => { const t = targets(args); return t.names.map((name) => ({ resource: t.resource, name, ns: opts.namespace ?? 'default' })); })();
  if (list.length === 0) throw new Error('wasmpod delete needs TYPE NAME or -f FILE');
  let code = 0;
  for (const { resource, name, ns } of list) {
    const url = resourceUrl(resource, ns, name);
    try {
      await client.request('DELETE', grace === undefined ? url : `${url}?gracePeriodSeconds=${grace}`);
    } catch (err) {
      if (!(err instanceof ServerError)) throw err;
      process.stderr.write(`${err.message}\n`);
      code = 1;
      continue;
    }
    write(opts.output === 'name' ? `${singular(resource)}/${name}\n` : `${singular(resource)} "${name}" deleted\n`);
    if (opts.wait !== false) await gone(client, url);
  }
  return code;
}
