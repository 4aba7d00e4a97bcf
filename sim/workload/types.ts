import type { RandomStreams } from '../engine/random.ts';
import { InputError } from '../scenario/inputError.ts';

/** One flow to run: `sizeBytes` of payload from host `src` to host `dst`, created at `startPs`. */
export interface FlowSpec {
  src: number;
  dst: number;
  sizeBytes: number;
  /** Creation time; for a flow that waits on another, the delay after that one completes. */
  startPs: number;
  /** Index (in the returned list) of a flow that must complete before this one starts. */
  after?: number;
  /**
   * Indices of flows that must all complete before this one starts (collectives, jobs, traces).
   * With deps, the flow starts at max(startPs, max_i(finish of deps[i] + depLagPs[i])): startPs
   * is then an absolute earliest time and each dependency may add a lag (a compute gap).
   */
  deps?: number[];
  /** Per dependency: the delay (ps) after it completes; absent means 0 for every dependency. */
  depLagPs?: number[];
  /** The job (index into the run's job list, sim/workload/jobs.ts) this flow belongs to. */
  job?: number;
  /** The job's collective instance (index into its op list) this flow is a transfer of. */
  op?: number;
  /** The step of that collective this transfer belongs to (algorithm-defined, from 0). */
  step?: number;
}

/** What a generator needs besides its own scenario item. */
export interface WorkloadContext {
  hostCount: number;
  hostRateBps: number;
  streams: RandomStreams;
  /** The item's path in the scenario for error messages: "workload" or "workload[2]". */
  path: string;
  /** Suffix that keeps random streams of repeated items of one kind apart: "" for the first, "#1", "#2", … */
  streamSuffix: string;
  readText?: ReadText;
  /** Each host's first switch (its leaf / ToR), for rail-aligned placement; absent where unknown. */
  hostLeaf?: ArrayLike<number>;
}

/**
 * Reads a file named in the scenario (CDFs, traces), relative to the scenario's directory;
 * 'latin1' returns each byte as one character (binary files such as Chakra traces).
 */
export type ReadText = (path: string, encoding?: 'utf8' | 'latin1') => string;

/** Scenario nanoseconds → integer picoseconds. */
export const nsToPs = (ns: number): number => Math.round(ns * 1000);

/** Throws unless `h` is a valid host index. */
export function checkHost(where: string, h: number, hostCount: number): void {
  if (!Number.isInteger(h) || h < 0 || h >= hostCount) {
    throw new InputError(`${where}: host ${h} does not exist (hosts 0..${hostCount - 1})`);
  }
}

/** Validates an optional host subset (each index valid, none repeated); default all hosts. */
export function hostSet(where: string, hosts: number[] | undefined, hostCount: number, minSize: number): number[] {
  if (!hosts) {
    if (hostCount < minSize)
      throw new InputError(`${where}: needs at least ${minSize} hosts, the topology has ${hostCount}`);
    return Array.from({ length: hostCount }, (_, i) => i);
  }
  const seen = new Set<number>();
  hosts.forEach((h, i) => {
    checkHost(`${where}.${i}`, h, hostCount);
    if (seen.has(h)) throw new InputError(`${where}.${i}: host ${h} is listed twice`);
    seen.add(h);
  });
  if (hosts.length < minSize) throw new InputError(`${where}: needs at least ${minSize} hosts, got ${hosts.length}`);
  return hosts.slice();
}
