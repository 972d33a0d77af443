// The pod phase and conditions, computed from container statuses the way the kubelet's getPhase does.
import type { ContainerStatus, PodCondition, PodStatus } from '../spec/types.js';
import { rfc3339 } from '../spec/defaults.js';

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export interface PhaseInput {
  restartPolicy: RestartPolicy;
  init: ContainerStatus[];
  /** Which init containers are sidecars (restartPolicy: Always on the init container). */
  sidecar: (name: string) => boolean;
  app: ContainerStatus[];
  /** The pod's Initialized condition is already True: a sidecar restarting later does not make it Pending again. */
  initialized?: boolean;
}

/**
 * The kubelet's getPhase (pkg/kubelet/kubelet_pods.go): regular init containers pending or failed keep the pod
 * Pending (Failed with restartPolicy Never); a running sidecar counts as running, so a pod whose app containers
 * completed is Running until its sidecars are stopped; a sidecar not yet started holds the pod Pending only
 * until the pod has initialized.
 */
export function podPhase(p: PhaseInput): PodStatus['phase'] {
  let pendingInit = 0;
  let pendingSidecars = 0;
  let failedInit = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of p.init) {
    const st = s.state ?? {};
    if (p.sidecar(s.name)) {
      // A terminated sidecar, or one waiting to restart, does not count towards the phase.
      if (st.running) {
        if (!s.started) pendingSidecars++;
        running++;
      } else if (st.waiting && !s.lastState?.terminated) {
        pendingSidecars++;
        waiting++;
      }
      continue;
    }
    if (st.terminated) {
      if (st.terminated.exitCode !== 0) failedInit++;
    } else if (st.waiting && s.lastState?.terminated) {
      if (s.lastState.terminated.exitCode !== 0) failedInit++;
    } else {
      pendingInit++;
    }
  }
  for (const s of p.app) {
    const st = s.state ?? {};
    if (st.running) running++;
    else if (st.terminated) {
      stopped++;
      if (st.terminated.exitCode === 0) succeeded++;
    } else if (st.waiting && s.lastState?.terminated) stopped++;
    else waiting++;
  }
  if (failedInit > 0 && p.restartPolicy === 'Never') return 'Failed';
  if (pendingInit > 0 || (pendingSidecars > 0 && !p.initialized) || waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (p.restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (p.restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

/** Sets a condition's status, reason and message, moving its lastTransitionTime only when the status changes. */
export function setCondition(conds: PodCondition[], type: PodCondition['type'], ok: boolean, reason?: string, message?: string): void {
  const status = ok ? 'True' : 'False';
  const now = rfc3339();
  let c = conds.find((x) => x.type === type);
  if (!c) {
    c = { type, status, lastProbeTime: null, lastTransitionTime: now };
    conds.push(c);
  } else if (c.status !== status) {
    c.status = status;
    c.lastTransitionTime = now;
  }
  if (reason) c.reason = reason;
  else delete c.reason;
  if (message) c.message = message;
  else delete c.message;
}

/**
 * Initialized, ContainersReady and Ready as the kubelet generates them (pkg/kubelet/status/generate.go): reasons
 * ContainersNotInitialized / ContainersNotReady with the containers named (`containers with unready status: [a b]`),
 * PodCompleted or PodFailed once the phase is terminal.
 */
export function setPodConditions(conds: PodCondition[], p: PhaseInput, phase: PodStatus['phase']): void {
  const list = (names: string[]): string => `[${names.join(' ')}]`;
  const terminal = phase === 'Succeeded' ? 'PodCompleted' : phase === 'Failed' ? 'PodFailed' : undefined;
  // A regular container that ran means the pod was initialized, whatever its sidecars do since.
  const appStarted = p.app.some((s) => s.state?.running || s.state?.terminated);
  const incomplete = p.init
    .filter((s) => (p.sidecar(s.name) ? !s.started : s.state?.terminated?.exitCode !== 0))
    .map((s) => s.name);
  if (phase === 'Succeeded') setCondition(conds, 'Initialized', true, 'PodCompleted');
  else if (appStarted || incomplete.length === 0) setCondition(conds, 'Initialized', true);
  else setCondition(conds, 'Initialized', false, 'ContainersNotInitialized', `containers with incomplete status: ${list(incomplete)}`);
  const unready = [...p.init.filter((s) => p.sidecar(s.name)), ...p.app].filter((s) => !s.ready).map((s) => s.name);
  for (const type of ['ContainersReady', 'Ready'] as const) {
    if (terminal) setCondition(conds, type, false, terminal);
    else if (unready.length) setCondition(conds, type, false, 'ContainersNotReady', `containers with unready status: ${list(unready)}`);
    else setCondition(conds, type, true);
  }
}
