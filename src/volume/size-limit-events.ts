// Reports writes that a sized volume refused (emptyDir sizeLimit): the guest saw ENOSPC, the pod's events say why.
import { quotaUsage } from '../../shim/fs/quota.js';
import type { PodVolumes } from './pod-volumes.js';

/** The event the runtime records; the kubelet would evict the pod instead (see docs/volumes.md). */
export const VOLUME_FULL = 'VolumeSizeLimitReached';

export interface SizeLimitWatch {
  /** Reports refusals since the last check; the runtime calls it periodically and once when the pod ends. */
  check(): void;
  stop(): void;
}

/** Watches every sized volume of a pod, reporting each new batch of refused writes once. */
export function watchSizeLimits(volumes: PodVolumes, report: (message: string) => void, periodMs: number): SizeLimitWatch {
  const sized = [...volumes.byName.values()].filter((v) => v.quota);
  const seen = new Map(sized.map((v) => [v.name, 0]));
  const check = (): void => {
    for (const v of sized) {
      const { refused } = quotaUsage(v.quota!);
      const before = seen.get(v.name)!;
      if (refused === before) continue;
      seen.set(v.name, refused);
      report(`emptyDir volume "${v.name}" refused ${refused - before} write(s) with ENOSPC: its sizeLimit of ${v.quota!.limit} bytes is reached`);
    }
  };
  const timer = sized.length ? setInterval(check, periodMs) : undefined;
  timer?.unref();
  return { check, stop: () => clearInterval(timer) };
}
