// The OpenAPI documents kubectl reads: v2 (which it insists on fetching, as protobuf) and v3 with a schema per kind marked with its GVK.
import { RESOURCES } from './resources.js';
import { KUBE_VERSION } from './discovery.js';

const HASH = 'wasmpod-v1';

/** /openapi/v3: where each group-version's document is. */
export function openApiV3Root(): Record<string, unknown> {
  return { paths: { 'api/v1': { serverRelativeURL: `/openapi/v3/api/v1?hash=${HASH}` } } };
}

/**
 * /openapi/v3/api/v1. kubectl looks up a kind's PATCH operation by its `x-kubernetes-group-version-kind` to
 * learn that the server validates fields itself (it then sends `fieldValidation` and leaves validation to the
 * server, whose errors name every bad field). The schemas are open objects: kubectl's own types
 * (its built-in strategic-merge metadata) drive `kubectl apply`'s patches.
 */
export function openApiV3(): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  const paths: Record<string, unknown> = {};
  const param = (name: string) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } });
  const write = { parameters: [param('dryRun'), param('fieldManager'), param('fieldValidation')], responses: { 200: { description: 'OK' } } };
  for (const r of RESOURCES) {
    schemas[`io.k8s.api.core.v1.${r.kind}`] = {
      type: 'object', description: `core/v1 ${r.kind} as wasmpod serves it`, 'x-kubernetes-preserve-unknown-fields': true,
      'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: r.kind }],
    };
    const base = r.namespaced ? `/api/v1/namespaces/{namespace}/${r.name}` : `/api/v1/${r.name}`;
    paths[base] = { post: write, get: { responses: { 200: { description: 'OK' } } } };
    // kubectl's query-parameter check finds the kind's PATCH by its GVK and reads its parameters: a server that
    // lists fieldValidation there validates fields itself, so kubectl asks it to (and warns through it).
    const patch = { ...write, 'x-kubernetes-action': 'patch', 'x-kubernetes-group-version-kind': { group: '', version: 'v1', kind: r.kind } };
    paths[`${base}/{name}`] = { put: write, patch, get: { responses: { 200: { description: 'OK' } } } };
  }
  return { openapi: '3.0.0', info: { title: 'wasmpod', version: KUBE_VERSION.gitVersion }, paths, components: { schemas } };
}

/** A protobuf length-delimited field (wire type 2). */
function field(num: number, body: Buffer): Buffer {
  const len: number[] = [];
  for (let n = body.length; ; n >>>= 7) {
    if (n < 0x80) { len.push(n); break; }
    len.push((n & 0x7f) | 0x80);
  }
  return Buffer.concat([Buffer.from([(num << 3) | 2, ...len]), body]);
}

/** The media type of /openapi/v2 in protobuf, as the API server names it (kubectl asks for `...spec.v2@v1.0+protobuf`). */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/**
 * /openapi/v2 as a gnostic `openapi_v2.Document` in protobuf: swagger "2.0" and its info, no definitions.
 * kubectl fetches it before create and apply; finding no schema for a kind, it validates nothing itself
 * (the v3 document tells it the server validates) and computes patches from its built-in types.
 */
export function openApiV2Protobuf(): Buffer {
  const text = (s: string): Buffer => Buffer.from(s, 'utf8');
  const info = Buffer.concat([field(1, text('wasmpod')), field(2, text(KUBE_VERSION.gitVersion))]);
  return Buffer.concat([field(1, text('2.0')), field(2, info)]);
}
