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
  readText?: (path: string) => string;
}

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
