// Discovery documents: /version, /api, /api/v1, /apis, so kubectl finds the resources and their short names.
import { RESOURCES } from './resources.js';

/** The Kubernetes version the API follows (kubectl picks its behaviour from it). */
export const KUBE_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-wasmpod' };

export function versionInfo(): Record<string, unknown> {
  return {
    ...KUBE_VERSION, gitCommit: 'wasmpod', gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'node', compiler: 'wasmpod', platform: `${process.platform}/${process.arch}`,
  };
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function apiGroupList(): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [] };
}

const SUB_VERBS: Record<string, string[]> = {
  status: ['get', 'patch', 'update'], log: ['get'], exec: ['create', 'get'], portforward: ['create', 'get'],
};

export function resourceList(): Record<string, unknown> {
  const resources: Record<string, unknown>[] = [];
  for (const r of RESOURCES) {
    resources.push({
      name: r.name, singularName: r.singularName, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}), ...(r.name === 'pods' ? { categories: ['all'] } : {}),
    });
    for (const sub of r.subresources) {
      const kind = sub === 'status' ? r.kind : sub === 'log' ? 'Pod' : sub === 'exec' ? 'PodExecOptions' : 'PodPortForwardOptions';
      resources.push({ name: `${r.name}/${sub}`, singularName: '', namespaced: r.namespaced, kind, verbs: SUB_VERBS[sub] });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1', resources };
}
