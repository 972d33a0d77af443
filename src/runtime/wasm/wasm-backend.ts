// The default backend: pod sandboxes whose containers are WASI modules in worker threads, sharing one module cache.
import { randomUUID } from 'node:crypto';
import type { Backend, ContainerConfig, PodSandbox, SandboxContainer, SandboxOptions } from '../sandbox.js';
import { ModuleCache } from './module-cache.js';
import { WORKER_LIMITS, WasmContainer } from './wasm-container.js';
import { usesOf } from './provided-imports.js';
import { WorkerPool, type WorkerPoolOptions } from './worker-pool.js';
import { SharedWorkers, type SharedWorkersOptions } from './shared-workers.js';
import { IpcNamespace } from '../../ipc/namespace.js';
import type { PodNetwork } from '../../net/pod-network.js';

class WasmPodSandbox implements PodSandbox {
  readonly id = randomUUID();
  /** Lives as long as the pod, as the pause container holds the ipc namespace: containers restart into it. */
  readonly ipc = new IpcNamespace();
  /** Containers whose first run was made ahead (createAhead): cancelled by remove() if never started. */
  private readonly ahead: WasmContainer[] = [];
  constructor(private readonly cache: ModuleCache, private readonly pool: WorkerPool, private readonly opts: SandboxOptions = {},
    private readonly shared?: SharedWorkers) {}

  get network(): PodNetwork | undefined {
    return this.opts.network;
  }

  async createContainer(config: ContainerConfig): Promise<SandboxContainer> {
    const { module, digest } = await this.cache.load(config.name, config.image, config.memoryLimit, config.module);
    // A guest that imports the IPC module may sleep in IPC calls, which a shared worker cannot suspend:
    // it gets a worker of its own.
    const shared = this.shared && !usesOf(module, false).ipc ? this.shared : undefined;
    return new WasmContainer(config, module, config.imageID ?? digest, this.ipc, this.opts.network, this.pool, shared);
  }

  createAhead(containers: SandboxContainer[]): void {
    for (const c of containers) {
      if (!(c instanceof WasmContainer)) continue;
      c.prepare();
      this.ahead.push(c);
    }
  }

  async remove(): Promise<void> {
    // A container made ahead that never started (the pod was deleted first) gives its worker back.
    await Promise.all(this.ahead.splice(0).map((c) => c.cancel()));
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

  /** Shared workers (JSPI, Node 24+), when the runtime asked for them: containers then share threads. */
  readonly shared?: SharedWorkers;

  constructor(pool: WorkerPoolOptions = {}, shared?: SharedWorkersOptions) {
    this.workers = new WorkerPool(WORKER_LIMITS, pool);
    if (shared) this.shared = new SharedWorkers(WORKER_LIMITS, shared);
  }

  async runPodSandbox(_podUid: string, opts: SandboxOptions = {}): Promise<PodSandbox> {
    if (!this.shared) this.workers.start();
    return new WasmPodSandbox(this.modules, this.workers, opts, this.shared);
  }

  async close(): Promise<void> {
    // Running workers belong to containers, which the pod manager stops before closing the backend; idle ones end here.
    await this.workers.close();
    await this.shared?.close();
  }
}
