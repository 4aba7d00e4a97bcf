import { availableParallelism } from 'node:os';
import type { Scenario } from '../scenario/schema.ts';
import type { Progress } from './run.ts';
import type { DetailedResult } from './worker.ts';
import { spawnSimWorker, proxy, type SimWorker } from './workerClient.ts';
import { workerBundleEntry } from './workerBundle.ts';
import { runScenarioWithHistogramAsync } from './runAsync.ts';
import { wallClockMs } from './wallClock.ts';

/**
 * Runs many scenarios: in a pool of Node worker threads (one simulation per thread at a time),
 * or in this thread one after another. Both give the same results (the worker face is
 * byte-identical to runScenario). `cancel()` stops the runs in progress (they resolve with
 * meta.stopReason 'cancelled') and rejects the queued ones with a CancelledError.
 */
export interface Runner {
  readonly jobs: number;
  run(scenario: Scenario, onProgress?: (p: Progress) => void): Promise<DetailedResult>;
  cancel(): void;
  close(): Promise<void>;
}

export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor() {
    super('cancelled');
  }
}

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

export interface RunnerOptions {
  /** Directory relative file paths in scenarios (CDF files) are read from. */
  baseDir?: string;
  /** File reader for the in-process runner. */
  readText?: (path: string) => string;
  /** Record each run's fabric over time (DetailedResult.series: `series.ndjson`). */
  series?: boolean;
}

/** One simulation after another in this thread (sliced, so a cancel from a signal handler gets in). */
export function inProcessRunner(options: RunnerOptions = {}): Runner {
  let cancelled = false;
  let chain: Promise<unknown> = Promise.resolve();
  return {
    jobs: 1,
    run(scenario, onProgress) {
      const p = chain.then(async () => {
        if (cancelled) throw new CancelledError();
        // The wall time is the worker face's (worker.ts): from the start of building to the result.
        const t0 = wallClockMs(); // meta.wallMs only
        const d = await runScenarioWithHistogramAsync(scenario, {
          onProgress,
          isCancelled: () => cancelled,
          readText: options.readText,
          series: options.series,
        });
        d.result.meta.wallMs = wallClockMs() - t0;
        return d;
      });
      chain = p.catch(() => undefined);
      return p;
    },
    cancel() {
      cancelled = true;
    },
    async close() {
      /* nothing to stop */
    },
  };
}

/** A pool of `jobs` worker threads, started as work arrives. */
export function workerPoolRunner(jobs: number, options: RunnerOptions = {}): Runner {
  const n = Math.max(1, Math.floor(jobs));
  const idle: SimWorker[] = [];
  const all: SimWorker[] = [];
  const busy = new Set<SimWorker>();
  const queue: Array<{ start: (w: SimWorker) => void; fail: (e: Error) => void }> = [];
  let cancelled = false;

  const entry = workerBundleEntry();
  const acquire = async (): Promise<SimWorker> => {
    const e = await entry;
    return new Promise((resolve, reject) => {
      const start = (w: SimWorker) => {
        busy.add(w);
        resolve(w);
      };
      const w = idle.pop();
      if (w) return start(w);
      if (all.length < n) {
        const nw = spawnSimWorker(e);
        all.push(nw);
        return start(nw);
      }
      queue.push({ start, fail: reject });
    });
  };
  const release = (w: SimWorker) => {
    busy.delete(w);
    const next = queue.shift();
    if (next) next.start(w);
    else idle.push(w);
  };

  return {
    jobs: n,
    async run(scenario, onProgress) {
      if (cancelled) throw new CancelledError();
      const w = await acquire();
      try {
        if (cancelled) throw new CancelledError();
        return await w.call((api) =>
          api.runDetailed(
            scenario,
            { baseDir: options.baseDir, progressEveryMs: 200, series: options.series },
            onProgress ? proxy(onProgress) : undefined,
          ),
        );
      } finally {
        release(w);
      }
    },
    cancel() {
      cancelled = true;
      for (const q of queue.splice(0)) q.fail(new CancelledError());
      for (const w of busy) void w.api.cancel();
    },
    async close() {
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}

/** The pool for `jobs` (in-process when 1). */
export function makeRunner(jobs: number, options: RunnerOptions = {}): Runner {
  return jobs <= 1 ? inProcessRunner(options) : workerPoolRunner(jobs, options);
}
