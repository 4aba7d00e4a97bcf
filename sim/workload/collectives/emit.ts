import type { FlowSpec } from '../types.ts';
import { InputError } from '../../scenario/inputError.ts';
import { type Algorithm, type CollectiveKind, collectiveTemplate, splitBytes, type Transfer } from './algorithms.ts';

/**
 * What a rank waits for before its next piece of work: flows that must complete (each with a lag
 * after its completion: a compute gap, an intra-node step) and an earliest time.
 */
export interface RankEntry {
  deps: number[];
  lagPs: number[];
  earliestPs: number;
}

export const entryAt = (earliestPs: number): RankEntry => ({ deps: [], lagPs: [], earliestPs });

/** The same entry, dtPs later (a compute gap). */
export function shiftEntry(e: RankEntry, dtPs: number): RankEntry {
  return { deps: e.deps.slice(), lagPs: e.lagPs.map((l) => l + dtPs), earliestPs: e.earliestPs + dtPs };
}

/** When an entry is satisfied, from the flows' finish times; −1 while a flow it waits on has not finished. */
export function entryReadyPs(e: RankEntry, finishPs: ArrayLike<number>): number {
  let t = e.earliestPs;
  for (let i = 0; i < e.deps.length; i++) {
    const f = finishPs[e.deps[i]];
    if (f < 0) return -1;
    if (f + e.lagPs[i] > t) t = f + e.lagPs[i];
  }
  return t;
}

/**
 * The two-level form (docs/reference/collectives.md §2, "Hierarchy"): the ranks are nodes of
 * `gpusPerNode` consecutive ranks; the intra-node reduce-scatter and all-gather are not
 * simulated but take a fixed time (or the ring's (m−1)/m · S at the intra-node rate), and the
 * inter-node collective runs among the ranks with the same local index, on S/m.
 */
export interface Hierarchy {
  gpusPerNode: number;
  intraDelayPs?: number;
  intraRateBps?: number;
}

export interface CollectiveOp {
  kind: CollectiveKind;
  algorithm: Algorithm;
  /** nccl-tests' S (§0): AR the buffer, RS the per-rank input, AG the per-rank output, A2A the send buffer, broadcast the root's buffer. */
  sizeBytes: number;
  /** Independent parallel rings/trees, each on its contiguous share of the data (NCCL channels). */
  channels: number;
  /** Pipeline chunks per channel: chunk c's transfer waits for the same transfer of chunk c−1 (a connection sends in order). */
  chunks: number;
  /** Broadcast root, as a rank position. */
  root: number;
  hierarchy?: Hierarchy;
}

/** Where one emitted collective instance landed, for the metrics (sim/metrics/jobs.ts). */
export interface EmittedOp {
  firstFlow: number;
  endFlow: number;
  /** Before the first inter-node transfer, after the last (the intra-node steps of the hierarchical form). */
  headPs: number;
  tailPs: number;
  /** The longest chain of dependent transfers within the collective (its α count). */
  levels: number;
  /** Per rank position: what its next work waits for. */
  exits: RankEntry[];
}

interface Mapped {
  /** Flow dependencies (global index, lag). */
  pairs: Array<[number, number]>;
  earliestPs: number;
}

const merge = (into: Map<number, number>, pairs: Array<[number, number]>) => {
  for (const [f, lag] of pairs) {
    const old = into.get(f);
    if (old === undefined || lag > old) into.set(f, lag);
  }
};

/** Intra-node step time of the hierarchical form (a ring over m GPUs moves (m−1)/m · S). */
function intraPs(h: Hierarchy, bytes: number): number {
  if (h.intraDelayPs !== undefined) return h.intraDelayPs;
  const m = h.gpusPerNode;
  return Math.round(((((m - 1) / m) * bytes * 8) / h.intraRateBps!) * 1e12);
}

/**
 * Append one collective instance's flows to `flows` (global index = position in it): the ranks'
 * positions map to `hosts`; `entries[i]` is what rank i waits for before it joins. A transfer
 * waits for its template deps; the same transfer of the previous chunk; and, for each of its two
 * ranks that no dep already involves, that rank's entry (so a rank joins the collective only once
 * it is free, and transitively so through the chains). Zero-byte transfers are dropped and pass
 * their waits on.
 */
export function emitCollective(
  flows: FlowSpec[],
  hosts: readonly number[],
  op: CollectiveOp,
  entries: readonly RankEntry[],
  tag: { job: number; op: number },
): EmittedOp {
  const n = hosts.length;
  const h = op.hierarchy;
  let groups: number[][] = [Array.from({ length: n }, (_, i) => i)];
  let bytes = op.sizeBytes;
  let headPs = 0;
  let tailPs = 0;
  if (h !== undefined && h.gpusPerNode > 1) {
    const m = h.gpusPerNode;
    if (op.kind === 'allToAll' || op.kind === 'broadcast')
      throw new InputError(
        `hierarchy: only allReduce, reduceScatter and allGather have a two-level form, not ${op.kind}`,
      );
    if (n % m !== 0 || n / m < 2)
      throw new InputError(`hierarchy.gpusPerNode: ${m} must divide the ${n} ranks into at least 2 nodes`);
    groups = Array.from({ length: m }, (_, g) => Array.from({ length: n / m }, (_, k) => k * m + g));
    bytes = Math.max(1, Math.floor(op.sizeBytes / m));
    const t = intraPs(h, op.sizeBytes);
    if (op.kind !== 'allGather') headPs = t;
    if (op.kind !== 'reduceScatter') tailPs = t;
  }
  const firstFlow = flows.length;
  const level = new Map<number, number>();
  let levels = 0;
  // Per rank position: flows involving it that no later flow involving it waits on.
  const sinks: Array<Set<number>> = Array.from({ length: n }, () => new Set());
  const involves = (f: number, pos: number) => flows[f].src === hosts[pos] || flows[f].dst === hosts[pos];
  const entryMapped = (pos: number): Mapped => ({
    pairs: entries[pos].deps.map((d, i) => [d, entries[pos].lagPs[i] + headPs]),
    earliestPs: entries[pos].earliestPs + headPs,
  });
  const perGroupBytes = splitBytes(bytes, 1)[0];
  for (const members of groups) {
    const channelBytes = splitBytes(perGroupBytes, op.channels);
    for (let c = 0; c < op.channels; c++) {
      const chunkBytes = splitBytes(channelBytes[c], op.chunks);
      let prev: Mapped[] | null = null;
      let prevT: Transfer[] | null = null;
      for (let k = 0; k < op.chunks; k++) {
        const t = collectiveTemplate({
          kind: op.kind,
          algorithm: op.algorithm,
          ranks: members.length,
          bytes: chunkBytes[k],
          channel: c,
          root: op.root,
        });
        const mapped: Mapped[] = [];
        t.forEach((tr, i) => {
          const src = members[tr.src];
          const dst = members[tr.dst];
          const deps = new Map<number, number>();
          let earliestPs = 0;
          let srcCovered = false;
          let dstCovered = false;
          const own = (d: Transfer) => {
            if (d.src === tr.src || d.dst === tr.src) srcCovered = true;
            if (d.src === tr.dst || d.dst === tr.dst) dstCovered = true;
          };
          for (const d of tr.deps) {
            merge(deps, mapped[d].pairs);
            earliestPs = Math.max(earliestPs, mapped[d].earliestPs);
            own(t[d]);
          }
          if (prev !== null) {
            merge(deps, prev[i].pairs);
            earliestPs = Math.max(earliestPs, prev[i].earliestPs);
            own(prevT![i]);
          }
          for (const [pos, covered] of [
            [src, srcCovered],
            [dst, dstCovered],
          ] as const) {
            if (covered) continue;
            const e = entryMapped(pos);
            merge(deps, e.pairs);
            earliestPs = Math.max(earliestPs, e.earliestPs);
          }
          const pairs = [...deps];
          if (tr.bytes <= 0) {
            mapped.push({ pairs, earliestPs });
            return;
          }
          const f = flows.length;
          const spec: FlowSpec = {
            src: hosts[src],
            dst: hosts[dst],
            sizeBytes: tr.bytes,
            startPs: earliestPs,
            job: tag.job,
            op: tag.op,
            step: tr.step,
          };
          if (pairs.length) {
            spec.deps = pairs.map((p) => p[0]);
            spec.depLagPs = pairs.map((p) => p[1]);
          }
          flows.push(spec);
          let lv = 1;
          for (const [d] of pairs) {
            if (d < firstFlow) continue;
            lv = Math.max(lv, (level.get(d) ?? 0) + 1);
            for (const pos of [src, dst]) if (involves(d, pos)) sinks[pos].delete(d);
          }
          level.set(f, lv);
          levels = Math.max(levels, lv);
          sinks[src].add(f);
          sinks[dst].add(f);
          mapped.push({ pairs: [[f, 0]], earliestPs: 0 });
        });
        prev = mapped;
        prevT = t;
      }
    }
  }
  const exits = entries.map((e, pos): RankEntry => {
    const s = [...sinks[pos]];
    if (s.length === 0) return shiftEntry(e, headPs + tailPs);
    return { deps: s, lagPs: s.map(() => tailPs), earliestPs: e.earliestPs + headPs + tailPs };
  });
  return { firstFlow, endFlow: flows.length, headPs, tailPs, levels, exits };
}
