// The STATUS column kubectl prints for a pod (Init:1/2, PodInitializing, CrashLoopBackOff, Running, Completed...).
import type { PodStatus } from '../spec/types.js';

export function statusText(s: PodStatus, initCount: number): string {
  let reason: string = s.reason ?? s.phase ?? 'Unknown';
  let initializing = false;
  (s.initContainerStatuses ?? []).forEach((c, i) => {
    if (initializing) return;
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) return;
    if (c.state?.running && c.started) return; // a started sidecar
    initializing = true;
    if (t) reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${initCount}`;
  });
  // As kubectl: once the pod is Initialized, a sidecar restarting later does not hide the app containers' state.
  if (!initializing || s.conditions?.some((c) => c.type === 'Initialized' && c.status === 'True')) {
    let running = false;
    for (const c of [...(s.containerStatuses ?? [])].reverse()) {
      const w = c.state?.waiting?.reason;
      const t = c.state?.terminated;
      if (w) reason = w;
      else if (t) reason = t.reason ?? (t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode}`);
      else if (c.state?.running && c.ready) running = true;
    }
    if (reason === 'Completed' && running) {
      reason = s.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }
  return reason;
}
