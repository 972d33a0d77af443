// The default backend: pod sandboxes whose containers are WASI modules in worker threads, sharing one module cache.
import { randomUUID } from 'node:crypto';
import type { Backend, ContainerConfig, PodSandbox, SandboxContainer, SandboxOptions } from '../sandbox.js';
import { ModuleCache } from './module-cache.js';
import { WORKER_LIMITS, WasmContainer } from './wasm-container.js';
import { WorkerPool, type WorkerPoolOptions } from './worker-pool.js';
import { IpcNamespace } from '../../ipc/namespace.js';
import type { PodNetwork } from '../../net/pod-network.js';

class WasmPodSandbox implements PodSandbox {
  readonly id = randomUUID();
  /** Lives as long as the pod, as the pause container holds the ipc namespace: containers restart into it. */
  readonly ipc = new IpcNamespace();
  constructor(private readonly cache: ModuleCache, private readonly pool: WorkerPool, private readonly opts: SandboxOptions = {}) {}

  get network(): PodNetwork | undefined {
    return this.opts.network;
  }

  async createContainer(config: ContainerConfig): Promise<SandboxContainer> {
    const { module, digest } = await this.cache.load(config.name, config.image, config.memoryLimit, config.module);
    return new WasmContainer(config, module, config.imageID ?? digest, this.ipc, this.opts.network, this.pool);
  }

  async remove(): Promise<void> {
    // Pod-level resources (network, IPC) are released here.
    this.ipc.close();
    await this.opts.network?.close();
    await this.opts.volumes?.remove();
  }
}

export class WasmBackend implements Backend {
  readonly name = 'wasm';
  readonly modules = new ModuleCache();
  /** Pre-warmed workers (worker-pool.ts), filled when the first pod sandbox is made. */
  readonly workers: WorkerPool;

  constructor(pool: WorkerPoolOptions = {}) {
    this.workers = new WorkerPool(WORKER_LIMITS, pool);
  }

  async runPodSandbox(_podUid: string, opts: SandboxOptions = {}): Promise<PodSandbox> {
    this.workers.start();
    return new WasmPodSandbox(this.modules, this.workers, opts);
  }

  async close(): Promise<void> {
    // Running workers belong to containers, which the pod manager stops before closing the backend; idle ones end here.
    await this.workers.close();
  }
}
