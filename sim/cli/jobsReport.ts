import type { Result } from '../metrics/result.ts';
import type { JobResult } from '../metrics/jobs.ts';

/**
 * Rows for the CLI tables about the run's jobs (collectives, jobs, traces: sim/metrics/jobs.ts):
 * per job its completion time, its iteration-time p50/p99, its collectives' mean bus bandwidth
 * and slowdown against the ideal, and its slowdown against running alone when known.
 */
export function jobRows(r: Result, fmtNum: (n: number) => string): [string, string][] {
  const jobs = r.jobs;
  if (!jobs?.length) return [];
  const rows: [string, string][] = [];
  for (const j of jobs) rows.push(...rowsOf(j, fmtNum));
  return rows;
}

function rowsOf(j: JobResult, fmtNum: (n: number) => string): [string, string][] {
  const done = j.completionPs >= 0;
  const colls = j.collectives.filter((c) => c.timePs > 0);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rows: [string, string][] = [[`job ${j.name}: time (µs)`, done ? fmtNum(j.completionPs / 1e6) : 'unfinished']];
  if (j.iterations > 1 && j.iterationUs.count > 0)
    rows.push([`job ${j.name}: iteration p50/p99 (µs)`, `${fmtNum(j.iterationUs.p50)} / ${fmtNum(j.iterationUs.p99)}`]);
  if (colls.length) {
    rows.push([`job ${j.name}: busbw (GB/s)`, fmtNum(mean(colls.map((c) => c.busbwGBps)))]);
    rows.push([`job ${j.name}: slowdown vs ideal`, fmtNum(mean(colls.map((c) => c.slowdown)))]);
  }
  if (j.slowdownVsAlone !== undefined) rows.push([`job ${j.name}: slowdown vs alone`, fmtNum(j.slowdownVsAlone)]);
  return rows;
}
