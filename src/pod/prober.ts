// Startup, liveness and readiness probes of one container run, with the kubelet's timing and threshold rules.
import type { Container, Probe } from '../spec/types.js';
import type { ExecResult } from '../runtime/sandbox.js';
import { httpGet, tcpSocket, type NetTarget } from './net-handlers.js';
import { grpcProbe } from './grpc-probe.js';

export type ProbeKind = 'Startup' | 'Liveness' | 'Readiness';

export interface ProbeHooks {
  /** Runs an exec probe's command in the container. */
  exec(command: string[], timeoutMs: number): Promise<ExecResult>;
  /** The pod's network, for httpGet and tcpSocket probes (undefined: the sandbox has none). */
  net?: NetTarget;
  /** The startup probe succeeded (or there is none). */
  started(): void;
  ready(ready: boolean): void;
  /** One failed probe (an Unhealthy event). */
  unhealthy(kind: ProbeKind, message: string): void;
  /** A startup or liveness probe reached its failure threshold: the container must be restarted. */
  kill(kind: ProbeKind): void;
}

/** What one run of a probe's handler says: ok, or the failure's message. */
async function check(c: Container, p: Probe, hooks: ProbeHooks, secondMs: number): Promise<string | undefined> {
  const timeoutMs = (p.timeoutSeconds ?? 1) * secondMs;
  if (p.httpGet || p.tcpSocket || p.grpc) {
    if (!hooks.net) return 'the pod has no network';
    try {
      if (p.grpc) return await grpcProbe(p.grpc, hooks.net, { timeoutMs, timeoutSeconds: p.timeoutSeconds ?? 1, retryMs: secondMs });
      return p.httpGet ? await httpGet(p.httpGet, c, hooks.net, timeoutMs) : await tcpSocket(p.tcpSocket!, c, hooks.net, timeoutMs);
    } catch (err) {
      return (err as Error).message;
    }
  }
  if (!p.exec) return 'the probe has no handler';
  const r = await hooks.exec(p.exec.command ?? [], timeoutMs);
  // The kubelet's words (its CRI client's exec timeout): command "cat /tmp/healthy" timed out.
  if (r.timedOut) return `command ${JSON.stringify((p.exec.command ?? []).join(' '))} timed out`;
  if (r.exitCode === 0) return undefined;
  const out = Buffer.concat([r.stdout, r.stderr]).toString('utf8').trim();
  return out || `command exited with ${r.exitCode}`;
}

export class Prober {
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly c: Container, private readonly hooks: ProbeHooks, private readonly secondMs: number) {}

  start(): void {
    const startup = this.c.startupProbe;
    if (startup) {
      this.loop('Startup', startup, (ok) => {
        if (!ok) return true;
        this.hooks.started();
        this.afterStartup();
        return false;
      });
    } else {
      this.hooks.started();
      this.afterStartup();
    }
  }

  private afterStartup(): void {
    const { livenessProbe, readinessProbe } = this.c;
    if (livenessProbe) this.loop('Liveness', livenessProbe, () => true);
    if (readinessProbe) {
      this.loop('Readiness', readinessProbe, () => true);
    } else {
      this.hooks.ready(true);
    }
  }

  /**
   * Runs a probe every period; `onResult` says whether to go on. Startup and liveness kill at their
   * failure threshold; readiness flips Ready at its success and failure thresholds.
   */
  private loop(kind: ProbeKind, p: Probe, onResult: (ok: boolean) => boolean): void {
    const success = kind === 'Readiness' ? (p.successThreshold ?? 1) : 1;
    const failure = p.failureThreshold ?? 3;
    let oks = 0;
    let fails = 0;
    const tick = async (): Promise<void> => {
      if (this.stopped) return;
      const failed = await check(this.c, p, this.hooks, this.secondMs);
      if (this.stopped) return;
      if (failed === undefined) {
        fails = 0;
        if (++oks >= success) {
          if (kind === 'Readiness') this.hooks.ready(true);
          if (!onResult(true)) return;
        }
      } else {
        oks = 0;
        this.hooks.unhealthy(kind, `${kind} probe failed: ${failed}`);
        if (++fails >= failure) {
          if (kind === 'Readiness') this.hooks.ready(false);
          else {
            this.hooks.kill(kind);
            return;
          }
        }
      }
      this.after((p.periodSeconds ?? 10) * this.secondMs, tick);
    };
    this.after((p.initialDelaySeconds ?? 0) * this.secondMs, tick);
  }

  private after(ms: number, fn: () => Promise<void>): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      void fn();
    }, ms);
    this.timers.add(t);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
