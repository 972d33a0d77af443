// The defaults the API server gives a Pod, in one place: core/v1's SetDefaults_* (pkg/apis/core/v1/defaults.go),
// applied to the request body before it is validated (as decoding does), plus what two admission plugins of a
// default cluster add (DefaultTolerationSeconds, Priority). Every value is what the runtime assumes when the
// field is absent, so a defaulted pod runs exactly as the bare one would. See docs/server.md.
import { defaultPullPolicy, parseImageRef } from '../image/index.js';
import { resolveImage } from '../spec/index.js';

type Obj = Record<string, unknown>;

const rec = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Obj : undefined);
const recs = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(rec).filter((x): x is Obj => x !== undefined) : []);
const absent = (v: unknown): boolean => v === undefined || v === null;
/** Go's zero values: a string field that is absent or empty, a number field that is absent or 0, is unset. */
const unset = (v: unknown): boolean => absent(v) || v === '' || v === 0;

function setIfUnset(o: Obj, key: string, value: string | number): void {
  const v = o[key];
  if (absent(v) || v === (typeof value === 'string' ? '' : 0)) o[key] = value;
}

/** Mode of the files of configMap, secret, downwardAPI and projected volumes: 0644. */
export const DEFAULT_FILE_MODE = 0o644;

/**
 * `Always` for an image tagged `latest` or not tagged, else `IfNotPresent`, as SetDefaults_Container does; for
 * wasmpod's own image forms this is the runtime's defaultPullPolicy: a local path or `file:` URL is `IfNotPresent`
 * (it is read where it is), an `http(s):` URL is `Always` unless pinned with `@sha256:`. An image the runtime
 * cannot parse gets `IfNotPresent`, as Kubernetes ignores a parse error there.
 */
export function pullPolicyFor(image: string, baseDir: string): string {
  try {
    return defaultPullPolicy(parseImageRef(resolveImage(image, baseDir)));
  } catch {
    return 'IfNotPresent';
  }
}

function defaultFieldRef(item: Obj | undefined): void {
  const ref = rec(item?.['fieldRef']);
  if (ref) setIfUnset(ref, 'apiVersion', 'v1');
}

/** SetDefaults_HTTPGetAction on a probe or lifecycle handler. */
function defaultHandler(handler: Obj | undefined): void {
  const get = rec(handler?.['httpGet']);
  if (!get) return;
  setIfUnset(get, 'path', '/');
  setIfUnset(get, 'scheme', 'HTTP');
}

/** SetDefaults_Probe. */
function defaultProbe(probe: Obj | undefined): void {
  if (!probe) return;
  setIfUnset(probe, 'timeoutSeconds', 1);
  setIfUnset(probe, 'periodSeconds', 10);
  setIfUnset(probe, 'successThreshold', 1);
  setIfUnset(probe, 'failureThreshold', 3);
  defaultHandler(probe);
}

function defaultContainer(c: Obj, hostNetwork: boolean, baseDir: string): void {
  if (unset(c['imagePullPolicy']) && typeof c['image'] === 'string' && c['image'] !== '') c['imagePullPolicy'] = pullPolicyFor(c['image'], baseDir);
  setIfUnset(c, 'terminationMessagePath', '/dev/termination-log');
  setIfUnset(c, 'terminationMessagePolicy', 'File');
  if (absent(c['resources'])) c['resources'] = {};
  for (const port of recs(c['ports'])) {
    setIfUnset(port, 'protocol', 'TCP');
    // With the host's network, a container port is a host port (defaultHostNetworkPorts).
    if (hostNetwork && unset(port['hostPort']) && typeof port['containerPort'] === 'number') port['hostPort'] = port['containerPort'];
  }
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(rec(c[probe]));
  const lifecycle = rec(c['lifecycle']);
  defaultHandler(rec(lifecycle?.['postStart']));
  defaultHandler(rec(lifecycle?.['preStop']));
  for (const env of recs(c['env'])) defaultFieldRef(rec(env['valueFrom']));
}

function defaultVolume(v: Obj): void {
  // A volume that names no source is an emptyDir (SetDefaults_Volume).
  if (Object.keys(v).every((k) => k === 'name')) v['emptyDir'] = {};
  for (const kind of ['configMap', 'secret', 'downwardAPI', 'projected']) {
    const src = rec(v[kind]);
    if (src && absent(src['defaultMode'])) src['defaultMode'] = DEFAULT_FILE_MODE;
  }
  const hostPath = rec(v['hostPath']);
  if (hostPath && absent(hostPath['type'])) hostPath['type'] = '';
  for (const item of recs(rec(v['downwardAPI'])?.['items'])) defaultFieldRef(item);
  for (const source of recs(rec(v['projected'])?.['sources'])) {
    for (const item of recs(rec(source['downwardAPI'])?.['items'])) defaultFieldRef(item);
    const token = rec(source['serviceAccountToken']);
    if (token && absent(token['expirationSeconds'])) token['expirationSeconds'] = 3600;
  }
}

/**
 * The taints a node gets when it stops answering, and how long a pod stays bound through them: what the
 * DefaultTolerationSeconds admission plugin (on in every default cluster) adds to a pod that tolerates neither.
 */
const NODE_TOLERATIONS = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

function admit(spec: Obj): void {
  const tolerations = Array.isArray(spec['tolerations']) ? spec['tolerations'] : [];
  const added: Obj[] = [];
  for (const key of NODE_TOLERATIONS) {
    const tolerated = recs(tolerations).some((t) => (unset(t['key']) || t['key'] === key) && (unset(t['effect']) || t['effect'] === 'NoExecute'));
    if (!tolerated) added.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  }
  if (added.length) spec['tolerations'] = [...tolerations, ...added];
  // The Priority plugin: without a PriorityClass (wasmpod has none) a pod's priority is 0, and it may preempt.
  if (absent(spec['priority']) && unset(spec['priorityClassName'])) spec['priority'] = 0;
  setIfUnset(spec, 'preemptionPolicy', 'PreemptLowerPriority');
}

/**
 * A copy of a Pod request body with the API server's defaults filled in. Anything not of the expected shape is
 * left alone for validation to report. `baseDir` is where relative image paths resolve (for imagePullPolicy).
 */
export function withPodDefaults<T>(body: T, baseDir: string): T {
  const pod = rec(body);
  const spec = rec(pod?.['spec']);
  if (!pod || !spec) return body;
  const out = structuredClone(pod);
  const s = out['spec'] as Obj;
  setIfUnset(s, 'dnsPolicy', 'ClusterFirst');
  setIfUnset(s, 'restartPolicy', 'Always');
  if (absent(s['securityContext'])) s['securityContext'] = {};
  if (absent(s['terminationGracePeriodSeconds'])) s['terminationGracePeriodSeconds'] = 30;
  setIfUnset(s, 'schedulerName', 'default-scheduler');
  if (absent(s['enableServiceLinks'])) s['enableServiceLinks'] = true;
  const hostNetwork = s['hostNetwork'] === true;
  for (const list of ['initContainers', 'containers']) for (const c of recs(s[list])) defaultContainer(c, hostNetwork, baseDir);
  for (const v of recs(s['volumes'])) defaultVolume(v);
  admit(s);
  return out as T;
}
