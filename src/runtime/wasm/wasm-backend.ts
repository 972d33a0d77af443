// The default backend: pod sandboxes whose containers are WASI modules in worker threads, sharing one module cache.
import { randomUUID } from 'node:crypto';
import type { Backend, ContainerConfig, PodSandbox, SandboxContainer } from '../sandbox.js';
import { ModuleCache } from './module-cache.js';
import { WasmContainer } from './wasm-container.js';

class WasmPodSandbox implements PodSandbox {
  readonly id = randomUUID();
  constructor(private readonly cache: ModuleCache) {}

  async createContainer(config: ContainerConfig): Promise<SandboxContainer> {
    const { module, digest } = await this.cache.load(config.name, config.image);
    return new WasmContainer(config, module, digest);
  }

  async remove(): Promise<void> {
    // Pod-level resources (network, IPC) will be released here.
  }
}

export class WasmBackend implements Backend {
  readonly name = 'wasm';
  readonly modules = new ModuleCache();

  async runPodSandbox(_podUid: string): Promise<PodSandbox> {
    return new WasmPodSandbox(this.modules);
  }

  async close(): Promise<void> {
    // Workers belong to containers, which the pod manager stops before closing the backend.
  }
}
