/**
 * `ethersim/worker`: the simulator's worker face (comlink). In a browser, import this module
 * from your own Web Worker file; the page wraps the worker with comlink:
 *
 *   // sim.worker.ts
 *   import 'ethersim/worker';
 *   // page
 *   import { wrap } from 'comlink';
 *   import type { SimWorkerApi } from 'ethersim/worker';
 *   const api = wrap<SimWorkerApi>(new Worker(new URL('./sim.worker.ts', import.meta.url), { type: 'module' }));
 *   const result = await api.run(yamlText, { seed: 2 });
 *
 * In Node, startWorker() starts a worker thread with the same face.
 */
import '../run/worker.ts';

export type { DetailedResult, Progress, SimWorkerApi, Snapshot, WorkerRunOptions } from '../run/worker.ts';
