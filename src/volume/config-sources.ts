// The ConfigMaps and Secrets a pod may refer to (the other documents of its manifest), looked up by namespace and name.
import type { ConfigMap, Secret } from '../spec/types.js';

export interface ConfigSources {
  configMaps?: ConfigMap[];
  secrets?: Secret[];
}

/** Key to bytes of each ConfigMap and Secret in the pod's namespace: data decoded once, values kept out of messages. */
export class ConfigLookup {
  private readonly maps = new Map<string, Map<string, Buffer>>();
  private readonly secrets = new Map<string, Map<string, Buffer>>();

  constructor(sources: ConfigSources, namespace: string) {
    for (const cm of sources.configMaps ?? []) {
      if ((cm.metadata.namespace ?? 'default') !== namespace) continue;
      const data = new Map<string, Buffer>();
      for (const [k, v] of Object.entries(cm.data ?? {})) data.set(k, Buffer.from(v, 'utf8'));
      for (const [k, v] of Object.entries(cm.binaryData ?? {})) data.set(k, Buffer.from(v, 'base64'));
      this.maps.set(cm.metadata.name ?? '', data);
    }
    for (const s of sources.secrets ?? []) {
      if ((s.metadata.namespace ?? 'default') !== namespace) continue;
      const data = new Map<string, Buffer>();
      for (const [k, v] of Object.entries(s.data ?? {})) data.set(k, Buffer.from(v, 'base64'));
      for (const [k, v] of Object.entries(s.stringData ?? {})) data.set(k, Buffer.from(v, 'utf8'));
      this.secrets.set(s.metadata.name ?? '', data);
    }
  }

  configMap(name: string): Map<string, Buffer> | undefined {
    return this.maps.get(name);
  }

  secret(name: string): Map<string, Buffer> | undefined {
    return this.secrets.get(name);
  }
}
