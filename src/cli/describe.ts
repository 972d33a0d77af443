// `wasmpod describe pod`: the sections kubectl describe prints for a pod (containers, conditions, events).
import type { ContainerStatus, Pod } from '../spec/types.js';
import { humanDuration } from '../server/table.js';

const line = (label: string, value: unknown, indent = 0): string => `${' '.repeat(indent)}${`${label}:`.padEnd(Math.max(14 - indent, label.length + 2))}${value ?? '<none>'}\n`;
const date = (t?: string): string => (t ? new Date(t).toUTCString().replace('GMT', '+0000') : '<none>');
const map = (m?: Record<string, string>): string => {
  const e = Object.entries(m ?? {});
  return e.length ? e.map(([k, v]) => `${k}=${v}`).join('\n              ') : '<none>';
};

/** kubectl describe leaves out the annotation kubectl apply keeps its last configuration in. */
function withoutLastApplied(a?: Record<string, string>): Record<string, string> {
  const { 'kubectl.kubernetes.io/last-applied-configuration': _drop, ...rest } = a ?? {};
  return rest;
}

function state(s: ContainerStatus['state'], label: string): string {
  if (!s) return line(label, 'Waiting', 4);
  if (s.running) return line(label, 'Running', 4) + line('Started', date(s.running.startedAt), 6);
  if (s.terminated) {
    const t = s.terminated;
    return line(label, 'Terminated', 4) + line('Reason', t.reason, 6) + (t.message ? line('Message', t.message, 6) : '')
      + line('Exit Code', t.exitCode, 6) + line('Started', date(t.startedAt), 6) + line('Finished', date(t.finishedAt), 6);
  }
  return line(label, 'Waiting', 4) + line('Reason', s.waiting?.reason, 6) + (s.waiting?.message ? line('Message', s.waiting.message, 6) : '');
}

/** The text of `describe pod`: the pod, its containers with state and restarts, its conditions and events. */
export function describePod(pod: Pod, events: any[]): string {
  const st = pod.status ?? {};
  let out = line('Name', pod.metadata.name) + line('Namespace', pod.metadata.namespace) + line('Node', pod.spec.nodeName)
    + line('Start Time', date(st.startTime)) + line('Labels', map(pod.metadata.labels)) + line('Annotations', map(withoutLastApplied(pod.metadata.annotations)))
    + line('Status', pod.metadata.deletionTimestamp ? 'Terminating' : st.phase) + (st.reason ? line('Reason', st.reason) : '')
    + (st.message ? line('Message', st.message) : '') + line('IP', st.podIP ?? '');
  const section = (title: string, specs: Pod['spec']['containers'], statuses: ContainerStatus[] = []): void => {
    if (specs.length === 0) return;
    out += `${title}:\n`;
    for (const c of specs) {
      const s = statuses.find((x) => x.name === c.name);
      out += `  ${c.name}:\n` + line('Image', c.image, 4) + line('Image ID', s?.imageID || '', 4);
      if (c.command) out += `    Command:\n${c.command.map((a) => `      ${a}\n`).join('')}`;
      if (c.args) out += `    Args:\n${c.args.map((a) => `      ${a}\n`).join('')}`;
      out += state(s?.state, 'State');
      if (s?.lastState?.terminated) out += state(s.lastState, 'Last State');
      out += line('Ready', s?.ready ? 'True' : 'False', 4) + line('Restart Count', s?.restartCount ?? 0, 4);
    }
  };
  section('Init Containers', pod.spec.initContainers ?? [], st.initContainerStatuses);
  section('Containers', pod.spec.containers, st.containerStatuses);
  out += 'Conditions:\n  Type              Status\n';
  for (const c of st.conditions ?? []) out += `  ${c.type.padEnd(18)}${c.status}\n`;
  out += line('QoS Class', st.qosClass);
  if (events.length === 0) return `${out}Events:       <none>\n`;
  const now = Date.now();
  const rows = [...events].sort((a, b) => String(a.firstTimestamp).localeCompare(String(b.firstTimestamp))).map((e) => {
    const age = humanDuration(now - Date.parse(e.lastTimestamp));
    return [e.type, e.reason, e.count > 1 ? `${age} (x${e.count} over ${humanDuration(now - Date.parse(e.firstTimestamp))})` : age, e.source?.component ?? '', e.message];
  });
  const all = [['Type', 'Reason', 'Age', 'From', 'Message'], ['----', '------', '----', '----', '-------'], ...rows];
  const w = [0, 1, 2, 3].map((i) => Math.max(...all.map((r) => String(r[i]).length)));
  return `${out}Events:\n${all.map((r) => `  ${r.map((c, i) => (i < 4 ? String(c).padEnd(w[i]!) : c)).join('  ')}`).join('\n')}\n`;
}
