import type { Scenario, WorkloadItem } from '../scenario/schema.ts';
import type { Result } from '../metrics/result.ts';

/**
 * A job's slowdown against the same job alone on the fabric (docs/collectives.md, "Jobs"):
 * when a scenario's workload holds a job beside other traffic (another job, background flows),
 * the run layer also runs, for every job, the same scenario with only that job in the workload
 * (same fabric, seed and stop conditions), and records the alone run's completion and iteration
 * times in the shared run's jobs[]. A job's flows and random draws do not depend on the traffic
 * beside it (sim/workload/index.ts buildWorkload), so the difference is the interference alone.
 * `metrics.jobsAlone` turns this on or off (default: on when there is other traffic).
 */

const JOB_KINDS = new Set<string>(['collective', 'job', 'chakra']);

/** The name a job item has in jobs[] (sim/workload/jobs.ts). */
export function jobItemName(item: WorkloadItem, index: number): string | null {
  if (!JOB_KINDS.has(item.kind)) return null;
  const named = (item as { name?: string }).name;
  return named ?? `${item.kind === 'chakra' ? 'chakra' : 'collective'}-${index}`;
}

/** The scenarios to run for the alone times: one per job item, or none when not asked for. */
export function aloneScenarios(s: Scenario): Array<{ job: string; scenario: Scenario }> {
  const items = Array.isArray(s.workload) ? s.workload : [s.workload];
  const jobs = items.map((it, i) => jobItemName(it, i));
  const count = jobs.filter((j) => j !== null).length;
  const wanted = s.metrics.jobsAlone ?? (count > 0 && items.length > 1);
  if (!wanted || count === 0) return [];
  const out: Array<{ job: string; scenario: Scenario }> = [];
  items.forEach((item, i) => {
    const name = jobs[i];
    if (name === null) return;
    out.push({
      job: name,
      scenario: {
        ...s,
        workload: [{ ...item, name } as WorkloadItem],
        compare: undefined,
        sweep: undefined,
        metrics: { ...s.metrics, jobsAlone: false },
      },
    });
  });
  return out;
}

/** Record the alone runs' times in the shared run's jobs[] (slowdownVsAlone = completion / alone completion). */
export function applyAlone(result: Result, alone: Array<{ job: string; result: Result }>): void {
  for (const a of alone) {
    const mine = result.jobs?.find((j) => j.name === a.job);
    const ref = a.result.jobs?.find((j) => j.name === a.job);
    if (!mine || !ref) continue;
    mine.alone = { completionPs: ref.completionPs, iterationUs: ref.iterationUs };
    if (mine.completionPs >= 0 && ref.completionPs > 0) mine.slowdownVsAlone = mine.completionPs / ref.completionPs;
  }
}
