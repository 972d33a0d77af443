// Pod events as `kubectl describe` lists them (Scheduled, Pulled, Created, Started, Killing, BackOff, Unhealthy...).
import type { Pod } from '../spec/types.js';
import { rfc3339 } from '../spec/defaults.js';

export interface PodEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  involvedObject: { kind: 'Pod'; namespace: string; name: string; uid: string; fieldPath?: string };
  source: { component: 'wasmpod' };
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
}

/** Records a pod's events; a repeat of the last same event bumps its count, as the event recorder does. */
export class EventRecorder {
  readonly events: PodEvent[] = [];

  constructor(private readonly pod: Pod, private readonly emit: (e: PodEvent) => void) {}

  record(type: PodEvent['type'], reason: string, message: string, container?: { name: string; init: boolean }): void {
    const fieldPath = container ? `spec.${container.init ? 'initContainers' : 'containers'}{${container.name}}` : undefined;
    const now = rfc3339();
    const same = this.events.find((e) => e.reason === reason && e.message === message && e.involvedObject.fieldPath === fieldPath);
    if (same) {
      same.count++;
      same.lastTimestamp = now;
      this.emit({ ...same });
      return;
    }
    const m = this.pod.metadata;
    const e: PodEvent = {
      type, reason, message,
      involvedObject: { kind: 'Pod', namespace: m.namespace!, name: m.name!, uid: m.uid!, ...(fieldPath ? { fieldPath } : {}) },
      source: { component: 'wasmpod' }, firstTimestamp: now, lastTimestamp: now, count: 1,
    };
    this.events.push(e);
    this.emit({ ...e });
  }
}
