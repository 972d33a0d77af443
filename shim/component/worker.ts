// The worker thread of a component container (started by WasmContainer instead of shim/worker.ts, so preview1
// workers never load the component host): runs the component of its WorkerStart and reports how it ended.
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerStart } from '../worker-protocol.js';
import { runComponent } from './run.js';

parentPort!.postMessage(runComponent(workerData as WorkerStart));
