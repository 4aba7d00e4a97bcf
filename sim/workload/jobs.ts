import type { WorkloadItem } from '../scenario/schema.ts';
import type { Rng } from '../engine/random.ts';
import { InputError } from '../scenario/inputError.ts';
import type { FlowSpec, WorkloadContext } from './types.ts';
import { ALGORITHMS, type Algorithm, type CollectiveKind } from './collectives/algorithms.ts';
import {
  type CollectiveOp,
  emitCollective,
  entryAt,
  type Hierarchy,
  type RankEntry,
  shiftEntry,
} from './collectives/emit.ts';
import { placeRanks } from './collectives/placement.ts';

type JobItem = Extract<WorkloadItem, { kind: 'job' }>;
type CollectiveItem = Extract<WorkloadItem, { kind: 'collective' }>;
type OpItem = JobItem['ops'][number];
type CollectiveOpItem = Exclude<OpItem, { op: 'compute' }>;

/** One collective instance (or one send/recv of a trace) of a job, for the metrics (sim/metrics/jobs.ts). */
export interface OpRecord {
  name: string;
  iteration: number;
  /** Its place in the iteration's op list (compute ops count). */
  index: number;
  kind: CollectiveKind | 'sendRecv';
  algorithm: string;
  sizeBytes: number;
  ranks: number;
  channels: number;
  chunks: number;
  /** What each of its ranks waited for before joining (its issue time, once the run is over). */
  entries: RankEntry[];
  firstFlow: number;
  endFlow: number;
  headPs: number;
  tailPs: number;
  levels: number;
}

/** A job as built: what the metrics need to measure it. */
export interface JobPlan {
  name: string;
  kind: 'collective' | 'job' | 'chakra';
  /** The workload item it came from. */
  item: number;
  hosts: number[];
  startPs: number;
  iterations: number;
  ops: OpRecord[];
  /** Per iteration: what each rank's iteration ends with (its last op's flows, then its compute). */
  iterationEnds: RankEntry[][];
  firstFlow: number;
  endFlow: number;
}

/** Collective parameters with the defaults filled in. */
export function resolveCollective(
  where: string,
  o: {
    op: CollectiveKind;
    algorithm?: Algorithm;
    sizeBytes: number;
    channels?: number;
    chunks: number;
    root: number;
    hierarchy?: { gpusPerNode: number; intraDelayUs?: number; intraRateGbps?: number };
  },
  ranks: number,
): CollectiveOp {
  const algorithm = o.algorithm ?? ALGORITHMS[o.op][0];
  if (!ALGORITHMS[o.op].includes(algorithm))
    throw new InputError(
      `${where}.algorithm: ${o.op} takes one of: ${ALGORITHMS[o.op].join(', ')}, got "${algorithm}"`,
    );
  if (o.root >= ranks) throw new InputError(`${where}.root: rank ${o.root} does not exist (ranks 0..${ranks - 1})`);
  let hierarchy: Hierarchy | undefined;
  if (o.hierarchy) {
    hierarchy = { gpusPerNode: o.hierarchy.gpusPerNode };
    if (o.hierarchy.intraDelayUs !== undefined) hierarchy.intraDelayPs = Math.round(o.hierarchy.intraDelayUs * 1e6);
    if (o.hierarchy.intraRateGbps !== undefined) hierarchy.intraRateBps = o.hierarchy.intraRateGbps * 1e9;
  }
  return {
    kind: o.op,
    algorithm,
    sizeBytes: o.sizeBytes,
    channels: o.channels ?? (algorithm === 'doubleBinaryTree' ? 2 : 1),
    chunks: o.chunks,
    root: o.root,
    hierarchy,
  };
}

/** A compute gap in ps, drawn from its distribution (normal truncated at 0, Box–Muller). */
function drawPs(t: Extract<OpItem, { op: 'compute' }>['timeUs'], rng: Rng): number {
  if (typeof t === 'number') return Math.round(t * 1e6);
  let us: number;
  if (t.dist === 'uniform') us = t.minUs + (t.maxUs - t.minUs) * rng.next();
  else if (t.dist === 'exponential') us = rng.exp(t.meanUs);
  else {
    const u1 = 1 - rng.next();
    const u2 = rng.next();
    us = t.meanUs + t.sdUs * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
  return Math.round(Math.max(0, us) * 1e6);
}

/**
 * A job's flows, appended to `flows` (indices are global). Every rank runs the ops in order,
 * `iterations` times: a collective's transfers wait for their ranks' previous work (sinks of the
 * previous collective, plus the compute gaps between), a compute op delays the rank's next work.
 */
export function jobFlows(
  item: JobItem | CollectiveItem,
  ctx: WorkloadContext,
  jobIndex: number,
  itemIndex: number,
  flows: FlowSpec[],
): JobPlan {
  const name = item.name ?? `collective-${itemIndex}`;
  const where = ctx.path;
  const hosts = placeRanks(where, item, ctx.hostCount, ctx.streams, `workload/job/${name}/placement`, ctx.hostLeaf);
  const n = hosts.length;
  const ops: OpItem[] = item.kind === 'job' ? item.ops : [{ ...item, name }];
  const resolved = ops.map((o, i) =>
    o.op === 'compute' ? null : resolveCollective(item.kind === 'job' ? `${where}.ops.${i}` : where, o, n),
  );
  if (resolved.every((r) => r === null)) throw new InputError(`${where}.ops: a job needs at least one collective`);
  const rng = ctx.streams.stream(`workload/job/${name}/compute`);
  const startPs = Math.round(item.startUs * 1e6);
  let entries: RankEntry[] = hosts.map(() => entryAt(startPs));
  const firstFlow = flows.length;
  const records: OpRecord[] = [];
  const iterationEnds: RankEntry[][] = [];
  for (let it = 0; it < item.iterations; it++) {
    ops.forEach((o, i) => {
      if (o.op === 'compute') {
        if (o.perRank) entries = entries.map((e) => shiftEntry(e, drawPs(o.timeUs, rng)));
        else {
          const dt = drawPs(o.timeUs, rng);
          entries = entries.map((e) => shiftEntry(e, dt));
        }
        return;
      }
      const op = resolved[i]!;
      const e = emitCollective(flows, hosts, op, entries, { job: jobIndex, op: records.length });
      records.push({
        name: (o as CollectiveOpItem).name ?? `${op.kind}-${i}`,
        iteration: it,
        index: i,
        kind: op.kind,
        algorithm: op.algorithm,
        sizeBytes: op.sizeBytes,
        ranks: n,
        channels: op.channels,
        chunks: op.chunks,
        entries,
        firstFlow: e.firstFlow,
        endFlow: e.endFlow,
        headPs: e.headPs,
        tailPs: e.tailPs,
        levels: e.levels,
      });
      entries = e.exits;
    });
    iterationEnds.push(entries);
  }
  return {
    name,
    kind: item.kind,
    item: itemIndex,
    hosts,
    startPs,
    iterations: item.iterations,
    ops: records,
    iterationEnds,
    firstFlow,
    endFlow: flows.length,
  };
}
