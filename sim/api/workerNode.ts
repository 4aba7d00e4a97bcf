/**
 * `ethersim/worker` in Node: start a worker thread that exposes the simulator's worker face
 * (SimWorkerApi, through comlink), e.g. to run with progress and snapshots and cancel from
 * this thread.
 *
 *   import { startWorker } from 'ethersim/worker';
 *   const w = await startWorker();
 *   const result = await w.api.run(yamlText, { seed: 2 });
 *   await w.terminate();
 */
import { spawnSimWorker, type SimWorker } from '../run/workerClient.ts';
import { workerBundleEntry } from '../run/workerBundle.ts';

export type { DetailedResult, Progress, SimWorkerApi, Snapshot, WorkerRunOptions } from '../run/worker.ts';
export type { SimWorker };
export { proxy } from '../run/workerClient.ts';

/** Start a simulator worker thread. `terminate()` it when done (it does not keep Node alive). */
export async function startWorker(): Promise<SimWorker> {
  return spawnSimWorker(await workerBundleEntry());
}
