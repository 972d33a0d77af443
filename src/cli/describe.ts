// `wasmpod describe pod`: the text kubectl describe prints for a pod, line for line (its sections, then Go's tabwriter).
import type { Container, ContainerStatus, EnvVar, Pod, Probe } from '../spec/types.js';
import type { Volume } from '../spec/types-volume.js';
import { humanDuration } from '../server/table.js';
import { tabwrite } from './tabwriter.js';

/** Go's time.RFC1123Z, which kubectl describe prints times in. */
const date = (t: string): string => {
  const d = new Date(t);
  const [wd, day, mon, year, time] = d.toUTCString().split(/,? /);
  return `${wd}, ${day!.padStart(2, '0')} ${mon} ${year} ${time} +0000`;
};
const none = (s: string): string => s || '<none>';
const pad = (level: number): string => '  '.repeat(level);

/** `Title:\tk=v` then `\tk=v` per further key, sorted, as kubectl's printLabelsMultiline writes them. */
function multiline(title: string, m: Record<string, string> | undefined): string {
  const keys = Object.keys(m ?? {}).sort();
  if (keys.length === 0) return `${title}:\t<none>\n`;
  return keys.map((k, i) => `${i === 0 ? `${title}:` : ''}\t${k}=${m![k]}\n`).join('');
}

/** Annotations as printAnnotationsMultiline writes them: `k: v`, a long or multi-line value on lines of its own; apply's own left out. */
function annotations(m: Record<string, string> | undefined): string {
  const keys = Object.keys(m ?? {}).filter((k) => k !== 'kubectl.kubernetes.io/last-applied-configuration').sort();
  if (keys.length === 0) return 'Annotations:\t<none>\n';
  return keys.map((k, i) => {
    const v = m![k]!.replace(/\n$/, '');
    const head = i === 0 ? 'Annotations:' : '';
    if (v.length + k.length + 2 <= 140 && !v.includes('\n')) return `${head}\t${k}: ${v}\n`;
    return `${head}\t${k}:\n${v.split('\n').map((l) => `\t  ${l.length > 138 ? `${l.slice(0, 138)}...` : l}\n`).join('')}`;
  }).join('');
}

function state(label: string, s: ContainerStatus['state']): string {
  const p = pad(2);
  if (s?.running) return `${p}${label}:\tRunning\n${p}  Started:\t${date(s.running.startedAt!)}\n`;
  if (s?.terminated) {
    const t = s.terminated;
    return `${p}${label}:\tTerminated\n${t.reason ? `${p}  Reason:\t${t.reason}\n` : ''}${t.message ? `${p}  Message:\t${t.message}\n` : ''}`
      + `${p}  Exit Code:\t${t.exitCode}\n${t.signal ? `${p}  Signal:\t${t.signal}\n` : ''}`
      + `${p}  Started:\t${t.startedAt ? date(t.startedAt) : ''}\n${p}  Finished:\t${t.finishedAt ? date(t.finishedAt) : ''}\n`;
  }
  return `${p}${label}:\tWaiting\n${s?.waiting?.reason ? `${p}  Reason:\t${s.waiting.reason}\n` : ''}`;
}

function probe(p: Probe): string {
  // The fields as stored: this server, unlike a real API server, does not fill in their defaults (kubectl shows 0 then).
  const attrs = `delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 0}s period=${p.periodSeconds ?? 0}s #success=${p.successThreshold ?? 0} #failure=${p.failureThreshold ?? 0}`;
  if (p.exec) return `exec [${(p.exec.command ?? []).join(' ')}] ${attrs}`;
  if (p.httpGet) {
    const h = p.httpGet;
    const host = String(h.port) === '' ? h.host ?? '' : `${h.host?.includes(':') ? `[${h.host}]` : h.host ?? ''}:${h.port}`;
    return `http-get ${(h.scheme ?? 'HTTP').toLowerCase()}://${host}${h.path ?? ''} ${attrs}`;
  }
  if (p.tcpSocket) return `tcp-socket ${p.tcpSocket.host ?? ''}:${p.tcpSocket.port} ${attrs}`;
  if (p.grpc) return `grpc <pod>:${p.grpc.port} ${p.grpc.service ?? ''} ${attrs}`;
  return `unknown ${attrs}`;
}

/** An env var's value as kubectl shows it: a field reference resolved against the pod where kubectl can (metadata.name, namespace, uid). */
function envLine(e: EnvVar, pod: Pod, c: Container): string {
  const p = pad(3);
  const v = e.valueFrom;
  if (!v) return (e.value ?? '').split('\n').map((s, i) => (i === 0 ? `${p}${e.name}:\t${s}\n` : `${p}\t${s}\n`)).join('');
  if (v.fieldRef) {
    const f = v.fieldRef.fieldPath;
    const fields: Record<string, string | undefined> = { 'metadata.name': pod.metadata.name, 'metadata.namespace': pod.metadata.namespace, 'metadata.uid': pod.metadata.uid };
    return `${p}${e.name}:\t${fields[f] ?? ''} (${v.fieldRef.apiVersion ?? ''}:${f})\n`;
  }
  if (v.resourceFieldRef) {
    const [kind, res] = v.resourceFieldRef.resource.split('.') as ['limits' | 'requests', string];
    return `${p}${e.name}:\t${c.resources?.[kind]?.[res] ?? '0'} (${v.resourceFieldRef.resource})\n`;
  }
  if (v.configMapKeyRef) return `${p}${e.name}:\t<set to the key '${v.configMapKeyRef.key}' of config map '${v.configMapKeyRef.name ?? ''}'>\tOptional: ${v.configMapKeyRef.optional === true}\n`;
  if (v.secretKeyRef) return `${p}${e.name}:\t<set to the key '${v.secretKeyRef.key}' in secret '${v.secretKeyRef.name ?? ''}'>\tOptional: ${v.secretKeyRef.optional === true}\n`;
  return `${p}${e.name}:\t\n`;
}

function container(c: Container, s: ContainerStatus | undefined, pod: Pod): string {
  const p = pad(2);
  const ports = (c.ports ?? []).map((x) => `${x.containerPort}/${x.protocol ?? 'TCP'}`).join(', ');
  const hostPorts = (c.ports ?? []).map((x) => `${x.hostPort ?? 0}/${x.protocol ?? 'TCP'}`).join(', ');
  let out = `${pad(1)}${c.name}:\n${s ? `${p}Container ID:\t${s.containerID ?? ''}\n` : ''}${p}Image:\t${c.image}\n${s ? `${p}Image ID:\t${s.imageID ?? ''}\n` : ''}`
    + `${p}${ports.includes(',') ? 'Ports' : 'Port'}:\t${none(ports)}\n${p}${hostPorts.includes(',') ? 'Host Ports' : 'Host Port'}:\t${none(hostPorts)}\n`;
  for (const [title, list] of [['Command', c.command], ['Args', c.args]] as const) {
    if (list?.length) out += `${p}${title}:\n${list.flatMap((a) => a.split('\n')).map((a) => `${pad(3)}${a}\n`).join('')}`;
  }
  if (s) {
    out += state('State', s.state);
    if (s.lastState?.terminated) out += state('Last State', s.lastState);
    out += `${p}Ready:\t${s.ready ? 'True' : 'False'}\n${p}Restart Count:\t${s.restartCount}\n`;
  }
  for (const kind of ['limits', 'requests'] as const) {
    const r = c.resources?.[kind] ?? {};
    if (Object.keys(r).length) out += `${p}${kind === 'limits' ? 'Limits' : 'Requests'}:\n${Object.keys(r).sort().map((k) => `${pad(3)}${k}:\t${r[k]}\n`).join('')}`;
  }
  for (const [title, pr] of [['Liveness', c.livenessProbe], ['Readiness', c.readinessProbe], ['Startup', c.startupProbe]] as const) {
    if (pr) out += `${p}${title}:\t${probe(pr)}\n`;
  }
  if (c.envFrom?.length) {
    out += `${p}Environment Variables from:\n${c.envFrom.map((f) => {
      const [ref, kind] = f.configMapRef ? [f.configMapRef, 'ConfigMap'] : [f.secretRef ?? {}, 'Secret'];
      return `${pad(3)}${ref.name ?? ''}\t${kind}${f.prefix ? ` with prefix '${f.prefix}'` : ''}\tOptional: ${ref.optional === true}\n`;
    }).join('')}`;
  }
  out += c.env?.length ? `${p}Environment:\n${c.env.map((e) => envLine(e, pod, c)).join('')}` : `${p}Environment:\t<none>\n`;
  const mounts = [...(c.volumeMounts ?? [])].sort((a, b) => (a.mountPath < b.mountPath ? -1 : a.mountPath > b.mountPath ? 1 : 0));
  out += mounts.length === 0 ? `${p}Mounts:\t<none>\n` : `${p}Mounts:\n${mounts.map((m) =>
    `${pad(3)}${m.mountPath} from ${m.name} (${[m.readOnly ? 'ro' : 'rw', ...(m.subPath ? [`path=${JSON.stringify(m.subPath)}`] : [])].join(',')})\n`).join('')}`;
  return out;
}

function volume(v: Volume): string {
  const p = pad(2);
  let out = `${pad(1)}${v.name}:\n`;
  if (v.emptyDir) out += `${p}Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n${p}Medium:\t${v.emptyDir.medium ?? ''}\n${p}SizeLimit:\t${v.emptyDir.sizeLimit ?? '<unset>'}\n`;
  else if (v.hostPath) out += `${p}Type:\tHostPath (bare host directory volume)\n${p}Path:\t${v.hostPath.path}\n${p}HostPathType:\t${v.hostPath.type ?? '<none>'}\n`;
  else if (v.configMap) out += `${p}Type:\tConfigMap (a volume populated by a ConfigMap)\n${p}Name:\t${v.configMap.name ?? ''}\n${p}Optional:\t${v.configMap.optional === true}\n`;
  else if (v.secret) out += `${p}Type:\tSecret (a volume populated by a Secret)\n${p}SecretName:\t${v.secret.secretName ?? ''}\n${p}Optional:\t${v.secret.optional === true}\n`;
  else if (v.downwardAPI) {
    out += `${p}Type:\tDownwardAPI (a volume populated by information about the pod)\n${p}Items:\n`;
    for (const i of v.downwardAPI.items ?? []) out += `${pad(3)}${i.fieldRef?.fieldPath ?? i.resourceFieldRef?.resource} -> ${i.path}\n`;
  } else if (v.projected) {
    out += `${p}Type:\tProjected (a volume that contains injected data from multiple sources)\n`;
    for (const s of v.projected.sources ?? []) {
      if (s.secret) out += `${p}SecretName:\t${s.secret.name ?? ''}\n${p}Optional:\t${s.secret.optional === true}\n`;
      if (s.configMap) out += `${p}ConfigMapName:\t${s.configMap.name ?? ''}\n${p}Optional:\t${s.configMap.optional === true}\n`;
      if (s.serviceAccountToken) out += `${p}TokenExpirationSeconds:\t${s.serviceAccountToken.expirationSeconds ?? 3600}\n`;
      if (s.downwardAPI) out += `${p}DownwardAPI:\ttrue\n`;
    }
  } else out += `${p}<unknown>\n`;
  return out;
}

function events(list: any[], now: number): string {
  if (list.length === 0) return 'Events:\t<none>\n';
  const time = (e: any): number => Date.parse(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp);
  const rows = [...list].sort((a, b) => time(a) - time(b)).map((e) => {
    const first = e.firstTimestamp ? humanDuration(now - Date.parse(e.firstTimestamp)) : '<unknown>';
    const age = e.count > 1 ? `${humanDuration(now - time(e))} (x${e.count} over ${first})` : first;
    const from = e.source?.component || e.reportingComponent || '';
    return `  ${e.type}\t${e.reason}\t${age}\t${from}\t${String(e.message ?? '').trim()}\n`;
  });
  return `Events:\n  Type\tReason\tAge\tFrom\tMessage\n  ----\t------\t----\t----\t-------\n${rows.join('')}`;
}

/** The text of `kubectl describe pod`: the pod, its containers, conditions, volumes and events. */
export function describePod(pod: Pod, eventList: any[], now = Date.now()): string {
  const st = pod.status ?? {};
  const m = pod.metadata;
  let out = `Name:\t${m.name}\nNamespace:\t${m.namespace}\n`;
  if (pod.spec.priority !== undefined) out += `Priority:\t${pod.spec.priority}\n`;
  if (pod.spec.priorityClassName) out += `Priority Class Name:\t${pod.spec.priorityClassName}\n`;
  if (pod.spec.serviceAccountName) out += `Service Account:\t${pod.spec.serviceAccountName}\n`;
  out += `Node:\t${pod.spec.nodeName ? `${pod.spec.nodeName}/${st.hostIP ?? ''}` : '<none>'}\n`;
  if (st.startTime) out += `Start Time:\t${date(st.startTime)}\n`;
  out += multiline('Labels', m.labels) + annotations(m.annotations);
  if (m.deletionTimestamp && st.phase !== 'Failed' && st.phase !== 'Succeeded') {
    out += `Status:\tTerminating (lasts ${humanDuration(Date.parse(m.deletionTimestamp) - now)})\n`;
    if (m.deletionGracePeriodSeconds !== undefined) out += `Termination Grace Period:\t${m.deletionGracePeriodSeconds}s\n`;
  } else out += `Status:\t${st.phase ?? ''}\n`;
  if (st.reason) out += `Reason:\t${st.reason}\n`;
  if (st.message) out += `Message:\t${st.message}\n`;
  out += `IP:\t${st.podIP ?? ''}\n`;
  out += st.podIPs?.length ? `IPs:\n${st.podIPs.map((i) => `  IP:\t${i.ip}\n`).join('')}` : 'IPs:\t<none>\n';
  if (st.nominatedNodeName) out += `NominatedNodeName:\t${st.nominatedNodeName}\n`;
  const section = (title: string, specs: Container[], statuses: ContainerStatus[] = []): string =>
    `${title}:\n${specs.map((c) => container(c, statuses.find((x) => x.name === c.name), pod)).join('')}`;
  if (pod.spec.initContainers?.length) out += section('Init Containers', pod.spec.initContainers, st.initContainerStatuses);
  out += section('Containers', pod.spec.containers, st.containerStatuses);
  if (st.conditions?.length) out += `Conditions:\n  Type\tStatus\n${st.conditions.map((c) => `  ${c.type} \t${c.status} \n`).join('')}`;
  out += pod.spec.volumes?.length ? `Volumes:\n${pod.spec.volumes.map(volume).join('')}` : 'Volumes:\t<none>\n';
  out += `QoS Class:\t${st.qosClass ?? ''}\n` + multiline('Node-Selectors', pod.spec.nodeSelector);
  const tolerations = [...(pod.spec.tolerations ?? [])].sort((a, b) => (a.key ?? '').localeCompare(b.key ?? ''));
  out += tolerations.length === 0 ? 'Tolerations:\t<none>\n' : tolerations.map((t, i) => {
    let s = `${t.key ?? ''}${t.value ? `=${t.value}` : ''}${t.effect ? `:${t.effect}` : ''}`;
    if (t.operator === 'Exists' && !t.value) s += t.key || t.effect ? ' op=Exists' : 'op=Exists';
    if (t.tolerationSeconds !== undefined) s += ` for ${t.tolerationSeconds}s`;
    return `${i === 0 ? 'Tolerations:' : ''}\t${s}\n`;
  }).join('');
  return tabwrite(out + events(eventList, now));
}
