/// <reference path="../comlink-esm.d.ts" preserve="true" />
import { Worker } from 'node:worker_threads';
import { wrap, proxy, releaseProxy, type Remote } from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { SimWorkerApi } from './worker.ts';

export { proxy };

/** A simulator worker thread (Node) and its comlink face. */
export interface SimWorker {
  api: Remote<SimWorkerApi>;
  worker: Worker;
  /**
   * Rejects when the thread dies (fails to load, throws outside a call, exits): comlink calls
   * to a dead worker would otherwise never settle, so race them against this (see `call`).
   */
  dead: Promise<never>;
  /** `fn(api)` raced against the worker's death. */
  call<T>(fn: (api: Remote<SimWorkerApi>) => Promise<T>): Promise<T>;
  /** Stop the thread (any run in it is abandoned). */
  terminate(): Promise<void>;
}

const ENTRY = new URL('./workerNode.mjs', import.meta.url);

/**
 * Start one Node worker thread running sim/run/worker.ts: through tsx by default, or from a
 * pre-built bundle (`entry`, from workerBundleEntry() in sim/run/workerBundle.ts; pools use it).
 */
export function spawnSimWorker(entry?: string | URL | null): SimWorker {
  const worker = new Worker(entry ?? ENTRY, { workerData: { ethersimWorker: true } });
  worker.unref();
  const api = wrap<SimWorkerApi>(nodeEndpoint(worker as unknown as Parameters<typeof nodeEndpoint>[0]));
  let terminating = false;
  const dead = new Promise<never>((_, reject) => {
    worker.once('error', (e) => reject(new Error(`simulator worker failed: ${e?.message ?? e}`)));
    worker.once('exit', (code) =>
      reject(new Error(terminating ? 'simulator worker terminated' : `simulator worker exited (code ${code})`)),
    );
  });
  dead.catch(() => undefined); // observed by call(); never an unhandled rejection
  return {
    api,
    worker,
    dead,
    call: (fn) => Promise.race([fn(api), dead]),
    async terminate() {
      terminating = true;
      try {
        api[releaseProxy]();
      } catch {
        /* already gone */
      }
      await worker.terminate();
    },
  };
}
