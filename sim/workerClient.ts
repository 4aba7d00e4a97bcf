import { Worker } from 'node:worker_threads';
import { wrap, proxy, releaseProxy, type Remote } from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { SimWorkerApi } from './worker.ts';

export { proxy };

/** A simulator worker thread (Node) and its comlink face. */
export interface SimWorker {
  api: Remote<SimWorkerApi>;
  worker: Worker;
  /** Stop the thread (any run in it is abandoned). */
  terminate(): Promise<void>;
}

const ENTRY = new URL('./workerNode.mjs', import.meta.url);

/** Start one Node worker thread running sim/worker.ts. */
export function spawnSimWorker(): SimWorker {
  const worker = new Worker(ENTRY, { workerData: { ethersimWorker: true } });
  worker.unref();
  const api = wrap<SimWorkerApi>(nodeEndpoint(worker as unknown as Parameters<typeof nodeEndpoint>[0]));
  return {
    api,
    worker,
    async terminate() {
      try { api[releaseProxy](); } catch { /* already gone */ }
      await worker.terminate();
    },
  };
}
