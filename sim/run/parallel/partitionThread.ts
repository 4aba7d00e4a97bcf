/**
 * A partition's thread in a threaded partitioned run (threads.ts has the protocol): build
 * partition `lp`, hand over the outbox buffers, run the window loop at the barrier, send the
 * partial result. Run by partitionWorker.ts (an ES module entry) or, in a built CLI, from the
 * script build of this module (dist/node/partitionThread.cjs, workerBundle.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Scenario } from '../../scenario/schema.ts';
import { buildSimulation, finishSimulation, stopLimits, stallPsOf } from '../run.ts';
import { PartitionWindow } from './window.ts';
import { BarrierDriver, PartitionFailed } from './barrier.ts';
import { partialOf } from './merge.ts';
import { finishAtLimit } from './sequential.ts';
import { wallClockMs } from '../wallClock.ts';

interface Init {
  scenario: Scenario;
  lp: number;
  control: SharedArrayBuffer;
  baseDir?: string;
  maxMemoryBytes?: number;
  /** Time the windows (`run --timing`): the partial then comes with this thread's PartitionTiming. */
  timing?: boolean;
  /** Record this partition's part of series.ndjson (it comes back in the partial). */
  series?: boolean;
}

/**
 * Run this thread's partition. `beforeReport` is called once the windows have ended, before the
 * partial result is sent (the thread is terminated soon after that): the script loader saves
 * its code cache there, when it holds every function the run compiled.
 */
export function runPartitionThread(beforeReport?: () => void): void {
  const init = workerData as Init;
  const port = parentPort!;
  let driver: BarrierDriver | null = null;
  const fail = (e: unknown): void => {
    if (e instanceof PartitionFailed) return; // another partition failed; it reports
    driver?.fail();
    const err = e as Error;
    port.postMessage({ type: 'error', message: err?.message ?? String(e), name: err?.name ?? 'Error' });
  };
  try {
    const readText = (p: string, encoding: 'utf8' | 'latin1' = 'utf8') =>
      readFileSync(resolve(init.baseDir ?? '.', p), encoding);
    const s = buildSimulation(init.scenario, {
      readText,
      maxMemoryBytes: init.maxMemoryBytes,
      partition: { lp: init.lp, shared: true, series: init.series === true },
    });
    port.postMessage({
      type: 'ready',
      buffers: s.outboxSets!.map((set) => set.map((b, dst) => (dst === init.lp ? null : b.buffer))),
    });
    port.once('message', async (m: { type: 'go'; buffers: Array<Array<Array<SharedArrayBuffer | null>>> }) => {
      try {
        driver = new BarrierDriver(
          new PartitionWindow(s),
          init.control,
          init.scenario.engine.partitions,
          m.buffers,
          // The --timing report only (wallClock.ts).
          init.timing === true ? wallClockMs : undefined,
        );
        const stop = stopLimits(s);
        const reason = await driver.run(stop.timeLimitPs, stop.maxEvents, stallPsOf(s), s.plan!.windowPs);
        if (reason === 'timeLimit') finishAtLimit([s], stop.timeLimitPs);
        finishSimulation(s);
        beforeReport?.();
        port.postMessage({ type: 'partial', partial: partialOf(s), timing: init.timing ? driver.timing : undefined });
      } catch (e) {
        fail(e);
      }
    });
  } catch (e) {
    fail(e);
  }
}
