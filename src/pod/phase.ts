// The pod phase and conditions, computed from container statuses the way the kubelet's getPhase does.
import type { ContainerStatus, PodCondition, PodStatus } from '../spec/types.js';

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export interface PhaseInput {
  restartPolicy: RestartPolicy;
  init: ContainerStatus[];
  /** Which init containers are sidecars (restartPolicy: Always on the init container). */
  sidecar: (name: string) => boolean;
  app: ContainerStatus[];
}

export function podPhase(p: PhaseInput): PodStatus['phase'] {
  let pendingInit = 0;
  let failedInit = 0;
  for (const s of p.init) {
    if (p.sidecar(s.name)) {
      if (!(s.state?.running && s.started)) pendingInit++;
      continue;
    }
    const t = s.state?.terminated;
    if (t) {
      if (t.exitCode !== 0) failedInit++;
    } else if (s.state?.waiting && s.lastState?.terminated && s.lastState.terminated.exitCode !== 0) {
      failedInit++;
    } else {
      pendingInit++;
    }
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of p.app) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting && s.lastState?.terminated) stopped++;
    else waiting++;
  }
  if (failedInit > 0 && p.restartPolicy === 'Never') return 'Failed';
  if (pendingInit > 0 || failedInit > 0) return 'Pending';
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (p.restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (p.restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

/** Sets a condition's status, moving its lastTransitionTime only when the status changes. */
export function setCondition(conds: PodCondition[], type: PodCondition['type'], ok: boolean, reason?: string): void {
  const status = ok ? 'True' : 'False';
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const c = conds.find((x) => x.type === type);
  if (!c) {
    conds.push({ type, status, lastProbeTime: null, lastTransitionTime: now, ...(reason && !ok ? { reason } : {}) });
    return;
  }
  if (c.status !== status) {
    c.status = status;
    c.lastTransitionTime = now;
  }
  if (!ok && reason) c.reason = reason;
  else delete c.reason;
}
