// The REST verbs on a resource: list, watch, get, create, update, patch, delete, deletecollection, and the status subresource.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fieldError } from '../spec/errors.js';
import { rfc3339 } from '../spec/defaults.js';
import type { Pod } from '../spec/types.js';
import { ApiError, apiErrors } from './api-error.js';
import { contentType, parseBody, readBody, sendJson, wantsTable } from './http.js';
import { applyPatch } from './patch.js';
import type { PodController } from './pod-controller.js';
import { withPodDefaults } from './pod-defaults.js';
import { fieldNames, fieldSet, type DecodeContext, type ResourceDef } from './resources.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { ApiObject, ObjectStore } from './store.js';
import { toTable } from './table.js';
import { serveWatch, type WatchOptions } from './watch.js';

export interface Target {
  def: ResourceDef;
  namespace?: string;
  name?: string;
  sub?: string;
  query: URLSearchParams;
}

/** Namespaces that always exist and cannot be deleted. */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep equality of JSON values, key order aside. */
/** What an update may change in a Pod: no field of its spec (a real server lets images, tolerations and deadlines change). */
const POD_UPDATABLE = '`metadata.labels`,`metadata.annotations`';

/** The paths of the leaves that differ between two JSON values (the first ten), for the Forbidden message. */
function changedFields(a: unknown, b: unknown, at: string, out: string[] = []): string[] {
  if (out.length >= 10 || sameJson(a, b)) return out;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) changedFields(a[i], b[i], `${at}[${i}]`, out);
  } else if (isObject(a) && isObject(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) changedFields(a[k], b[k], `${at}.${k}`, out);
  } else {
    out.push(at);
  }
  return out;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => sameJson(a[k], b[k]));
  }
  return a === b;
}

export class RestHandler {
  constructor(
    private readonly store: ObjectStore,
    private readonly pods: PodController,
    private readonly ctx: DecodeContext,
    private readonly watchOpts: WatchOptions,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, t: Target): Promise<void> {
    const m = req.method ?? 'GET';
    if (t.sub && t.sub !== 'status') throw apiErrors.methodNotAllowed(m, `${t.def.name}/${t.sub}`);
    if (t.def.namespaced && t.namespace !== undefined && m !== 'GET') this.requireNamespace(t.namespace);
    if (t.name === undefined) {
      if (m === 'GET') return this.list(req, res, t);
      if (m === 'POST') return sendJson(res, 201, this.create(t, await this.body(req), this.decodeContext(t, res, 'Create')));
      if (m === 'DELETE') return sendJson(res, 200, this.deleteCollection(t));
      throw apiErrors.methodNotAllowed(m, t.def.name);
    }
    const cur = (): ApiObject => {
      const o = this.store.get(t.def.name, t.namespace, t.name!);
      if (!o) throw apiErrors.notFound(t.def.name, t.name!);
      return o;
    };
    switch (m) {
      case 'GET': {
        const o = cur();
        return sendJson(res, 200, wantsTable(req) ? toTable(t.def.name, [o], { resourceVersion: o.metadata.resourceVersion }, t.query.get('includeObject') ?? 'Metadata') : o);
      }
      case 'PUT': return sendJson(res, 200, this.update(t, cur(), await this.body(req), this.decodeContext(t, res, 'Update')));
      case 'PATCH': {
        const patch = parseBody(req, await readBody(req));
        const patched = applyPatch(contentType(req), structuredClone(cur()), patch);
        if (!isObject(patched)) throw apiErrors.badRequest('the patched object is not an object');
        return sendJson(res, 200, this.update(t, cur(), patched as ApiObject, this.decodeContext(t, res, 'Patch')));
      }
      case 'DELETE': {
        const raw = await readBody(req);
        const opts = raw.length ? parseBody(req, raw) : {};
        return sendJson(res, 200, this.delete(t, cur(), isObject(opts) ? opts : {}));
      }
      default: throw apiErrors.methodNotAllowed(m, t.def.name);
    }
  }

  private async body(req: IncomingMessage): Promise<ApiObject> {
    const v = parseBody(req, await readBody(req));
    if (!isObject(v)) throw apiErrors.badRequest('the request body must be a JSON or YAML object');
    if (!isObject(v['metadata'])) v['metadata'] = {};
    return v as ApiObject;
  }

  private requireNamespace(ns: string): void {
    if (!this.store.get('namespaces', undefined, ns)) throw apiErrors.notFound('namespaces', ns);
  }

  private matcher(t: Target): (o: ApiObject) => boolean {
    const labels = parseLabelSelector(t.query.get('labelSelector'));
    const fields = parseFieldSelector(t.query.get('fieldSelector'), fieldNames(t.def));
    return (o) => labels(o.metadata.labels) && fields(fieldSet(t.def, o));
  }

  private list(req: IncomingMessage, res: ServerResponse, t: Target): void {
    const matches = this.matcher(t);
    const watch = t.query.get('watch');
    if (watch === 'true' || watch === '1') {
      return serveWatch(req, res, this.store, { resource: t.def.name, kind: t.def.kind, namespace: t.namespace, matches, query: t.query }, this.watchOpts);
    }
    let items = this.store.list(t.def.name, t.namespace).filter(matches);
    const meta: Record<string, unknown> = { resourceVersion: String(this.store.version) };
    // limit/continue: the token is the key of the last object sent; lists are sorted by namespace and name.
    const after = t.query.get('continue');
    const key = (o: ApiObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    if (after) {
      const from = Buffer.from(after, 'base64url').toString();
      items = items.filter((o) => key(o) > from);
    }
    const limit = Number(t.query.get('limit'));
    if (limit > 0 && items.length > limit) {
      items = items.slice(0, limit);
      meta['continue'] = Buffer.from(key(items[items.length - 1]!)).toString('base64url');
      meta['remainingItemCount'] = this.store.list(t.def.name, t.namespace).filter(matches).length - limit;
    }
    if (wantsTable(req)) return sendJson(res, 200, toTable(t.def.name, items, meta, t.query.get('includeObject') ?? 'Metadata'));
    sendJson(res, 200, { kind: `${t.def.kind}List`, apiVersion: 'v1', metadata: meta, items });
  }

  /**
   * How this request's body is decoded: its `fieldValidation` (Warn when absent, as the API server defaults),
   * whose warnings go out as `Warning: 299 - "..."` headers, which kubectl prints.
   */
  private decodeContext(t: Target, res: ServerResponse, verb: 'Create' | 'Update' | 'Patch'): DecodeContext {
    const mode = t.query.get('fieldValidation') || 'Warn';
    if (mode !== 'Strict' && mode !== 'Warn' && mode !== 'Ignore') {
      throw apiErrors.invalid(`${verb}Options.meta.k8s.io`, '', [fieldError.unsupportedValue('fieldValidation', mode, ['Ignore', 'Warn', 'Strict'])]);
    }
    const warnings: string[] = [];
    return {
      ...this.ctx, fieldValidation: mode,
      warn: (message) => {
        warnings.push(`299 - ${JSON.stringify(message)}`);
        res.setHeader('Warning', warnings);
      },
    };
  }

  /** Checks what the body says against the URL and validates it. */
  private decode(t: Target, body: ApiObject, ctx: DecodeContext): ApiObject {
    if (body.apiVersion !== undefined && body.apiVersion !== 'v1') {
      throw apiErrors.badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (v1)`);
    }
    if (body.kind !== undefined && body.kind !== t.def.kind) {
      throw apiErrors.badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${t.def.kind})`);
    }
    const ns = body.metadata.namespace;
    if (t.def.namespaced) {
      if (ns !== undefined && t.namespace !== undefined && ns !== t.namespace) {
        throw apiErrors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      body.metadata.namespace = t.namespace ?? ns ?? 'default';
    }
    return t.def.decode({ ...body, apiVersion: 'v1', kind: t.def.kind }, ctx);
  }

  private create(t: Target, body: ApiObject, ctx: DecodeContext): ApiObject {
    if (t.namespace === undefined && t.def.namespaced) throw apiErrors.methodNotAllowed('POST', `${t.def.name} of all namespaces`);
    if (body.metadata.resourceVersion) throw apiErrors.badRequest('resourceVersion should not be set on objects to be created');
    // The server assigns these, whatever the body says.
    delete body.metadata.uid;
    delete body.metadata.creationTimestamp;
    delete body.metadata.deletionTimestamp;
    const obj = this.decode(t, body, ctx);
    if (this.store.get(t.def.name, obj.metadata.namespace, obj.metadata.name!)) throw apiErrors.alreadyExists(t.def.name, obj.metadata.name!);
    if (t.query.get('dryRun') === 'All') return obj;
    if (t.def.name === 'pods') return this.pods.create(obj as unknown as Pod);
    return this.store.create(t.def.name, obj);
  }

  private update(t: Target, cur: ApiObject, body: ApiObject, ctx: DecodeContext): ApiObject {
    if (!isObject(body.metadata)) body.metadata = {};
    if (body.metadata.name !== undefined && body.metadata.name !== t.name) {
      throw apiErrors.badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${t.name})`);
    }
    body.metadata.name = t.name;
    const status = t.def.name === 'pods' || t.def.name === 'namespaces';
    let next: ApiObject;
    if (t.sub === 'status') {
      // The status subresource changes the status and nothing else.
      next = { ...structuredClone(cur), status: body['status'], metadata: { ...cur.metadata, resourceVersion: body.metadata.resourceVersion } };
    } else {
      const rv = body.metadata.resourceVersion;
      next = this.decode(t, { ...body, metadata: { ...body.metadata, uid: cur.metadata.uid, creationTimestamp: cur.metadata.creationTimestamp } }, ctx);
      next.metadata.resourceVersion = rv;
      for (const k of ['deletionTimestamp', 'deletionGracePeriodSeconds'] as const) {
        if (cur.metadata[k] !== undefined) (next.metadata as Record<string, unknown>)[k] = cur.metadata[k];
      }
      // Status is written through /status (or by the runtime), never by an update of the object.
      if (status) next['status'] = structuredClone(cur['status']);
      // The stored pod is compared with its defaults filled in (one stored before they were is not changed by them).
      const curSpec = t.def.name === 'pods' ? withPodDefaults(cur, this.ctx.baseDir)['spec'] : undefined;
      if (t.def.name === 'pods' && !sameJson(next['spec'], curSpec)) {
        const changed = changedFields(curSpec, next['spec'], 'spec');
        throw apiErrors.invalid('Pod', t.name!, [fieldError.forbidden('spec', `pod updates may not change fields other than ${POD_UPDATABLE}`
          + ` (wasmpod runs a pod as it was created)\n  changed: ${changed.map((f) => `\`${f}\``).join(',')}`)], next);
      }
    }
    if (t.query.get('dryRun') === 'All') return next;
    // An update that changes nothing is not a change: no new resourceVersion, no watch event (as the API server does).
    const { resourceVersion: wanted, ...meta } = next.metadata;
    const { resourceVersion: _stored, ...curMeta } = cur.metadata;
    if ((!wanted || wanted === cur.metadata.resourceVersion) && sameJson({ ...next, metadata: meta }, { ...cur, metadata: curMeta })) return cur;
    return this.store.update(t.def.name, next);
  }

  private gracePeriod(t: Target, opts: Record<string, unknown>): number | undefined {
    const q = t.query.get('gracePeriodSeconds');
    const v = q !== null ? Number(q) : opts['gracePeriodSeconds'];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw apiErrors.badRequest(`gracePeriodSeconds must be a whole number of seconds, 0 or more`);
    return v;
  }

  private delete(t: Target, cur: ApiObject, opts: Record<string, unknown>): unknown {
    const pre = isObject(opts['preconditions']) ? opts['preconditions'] : {};
    if (pre['uid'] !== undefined && pre['uid'] !== cur.metadata.uid) {
      throw apiErrors.conflict(t.def.name, t.name!, `Precondition failed: UID in precondition: ${String(pre['uid'])}, UID in object meta: ${cur.metadata.uid}`);
    }
    if (pre['resourceVersion'] !== undefined && pre['resourceVersion'] !== cur.metadata.resourceVersion) {
      throw apiErrors.conflict(t.def.name, t.name!, `Precondition failed: ResourceVersion in precondition: ${String(pre['resourceVersion'])}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`);
    }
    const grace = this.gracePeriod(t, opts);
    if (t.query.get('dryRun') === 'All' || (Array.isArray(opts['dryRun']) && opts['dryRun'].includes('All'))) return cur;
    if (t.def.name === 'pods') return this.pods.delete(cur, grace);
    if (t.def.name === 'namespaces') return this.deleteNamespace(cur);
    const gone = this.store.delete(t.def.name, t.namespace, t.name!);
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: t.name, kind: t.def.name, uid: gone.metadata.uid } };
  }

  /** A namespace goes Terminating, its objects are deleted (pods gracefully), and it leaves once its pods are gone. */
  private deleteNamespace(cur: ApiObject): ApiObject {
    const name = cur.metadata.name!;
    if (SYSTEM_NAMESPACES.includes(name)) {
      throw new ApiError(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
    }
    if (cur.metadata.deletionTimestamp) return cur;
    const { resourceVersion: _rv, ...metadata } = cur.metadata;
    const marked = this.store.update('namespaces', {
      ...cur, metadata: { ...metadata, deletionTimestamp: rfc3339() }, status: { phase: 'Terminating' },
    });
    for (const r of ['configmaps', 'secrets', 'events']) for (const o of this.store.list(r, name)) this.store.delete(r, name, o.metadata.name!);
    for (const p of this.store.list('pods', name)) this.pods.delete(p);
    const finish = (): void => {
      if (this.store.list('pods', name).length > 0) return;
      this.store.off('change', finish);
      if (this.store.get('namespaces', undefined, name)) this.store.delete('namespaces', undefined, name);
    };
    this.store.on('change', finish);
    finish();
    return marked;
  }

  private deleteCollection(t: Target): unknown {
    const matches = this.matcher(t);
    const items = this.store.list(t.def.name, t.namespace).filter(matches);
    const out = items.map((o) => this.delete({ ...t, name: o.metadata.name!, namespace: o.metadata.namespace }, o, {}));
    return { kind: `${t.def.kind}List`, apiVersion: 'v1', metadata: { resourceVersion: String(this.store.version) }, items: out };
  }
}
