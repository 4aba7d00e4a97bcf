import type { WorkloadItem } from '../../scenario/schema.ts';
import { InputError } from '../../scenario/inputError.ts';
import type { FlowSpec, WorkloadContext } from '../types.ts';
import { type CollectiveKind, ALGORITHMS } from '../collectives/algorithms.ts';
import { emitCollective, entryAt, type RankEntry, shiftEntry } from '../collectives/emit.ts';
import { placeRanks } from '../collectives/placement.ts';
import type { JobPlan, OpRecord } from '../jobs.ts';
import { COMM_TYPE, NODE_TYPE } from './etSchema.ts';
import { type EtNode, type EtTrace, latin1Bytes, readEt } from './etReader.ts';

type ChakraItem = Extract<WorkloadItem, { kind: 'chakra' }>;

/**
 * A Chakra trace replayed as a job (docs/collectives.md, "Chakra traces"): one file per rank,
 * `<trace>.<rank>.et`. A node is issued once every node in its data_deps and ctrl_deps (ids
 * local to its file) has completed. COMP_NODE: a delay of duration_micros. COMM_SEND_NODE /
 * COMM_RECV_NODE: matched across ranks on (src, dst, comm_tag), in file order, into one
 * transfer of comm_size bytes that starts once both nodes are issued; both complete with it.
 * COMM_COLL_NODE: the k-th collective of a communicator group on each member rank is one
 * collective (sim/workload/collectives/), which each rank joins once its node is issued, and
 * whose node completes on a rank with that rank's part. Every other node type completes at once.
 */

const KINDS: Partial<Record<number, CollectiveKind>> = {
  [COMM_TYPE.ALL_REDUCE]: 'allReduce',
  [COMM_TYPE.ALL_GATHER]: 'allGather',
  [COMM_TYPE.BROADCAST]: 'broadcast',
  [COMM_TYPE.ALL_TO_ALL]: 'allToAll',
  [COMM_TYPE.REDUCE_SCATTER]: 'reduceScatter',
  [COMM_TYPE.REDUCE_SCATTER_BLOCK]: 'reduceScatter',
};
const COMM_NAMES = Object.fromEntries(Object.entries(COMM_TYPE).map(([k, v]) => [v, k]));

/** An entry merged from several (the latest of each flow's lags, the latest earliest time). */
function mergeEntries(list: RankEntry[], base: number): RankEntry {
  const m = new Map<number, number>();
  let earliest = base;
  for (const e of list) {
    earliest = Math.max(earliest, e.earliestPs);
    e.deps.forEach((d, i) => {
      const old = m.get(d);
      if (old === undefined || e.lagPs[i] > old) m.set(d, e.lagPs[i]);
    });
  }
  return { deps: [...m.keys()], lagPs: [...m.values()], earliestPs: earliest };
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

export function chakraFlows(
  item: ChakraItem,
  ctx: WorkloadContext,
  jobIndex: number,
  itemIndex: number,
  flows: FlowSpec[],
): JobPlan {
  const where = ctx.path;
  const name = item.name ?? `chakra-${itemIndex}`;
  if (item.ranks === undefined && item.hosts === undefined)
    throw new InputError(`${where}.ranks: give the number of ranks (trace files ${item.trace}.<rank>.et), or hosts`);
  const hosts = placeRanks(where, item, ctx.hostCount, ctx.streams, `workload/job/${name}/placement`, ctx.hostLeaf);
  const n = hosts.length;
  if (!ctx.readText) throw new InputError(`${where}.trace: trace files cannot be read here`);
  const traces: EtTrace[] = hosts.map((_, r) => {
    const file = `${item.trace}.${r}.et`;
    let text: string;
    try {
      text = ctx.readText!(file, 'latin1');
    } catch (e) {
      throw new InputError(`${where}.trace: ${(e as Error).message}`);
    }
    return readEt(latin1Bytes(text), file);
  });
  let groups: Record<string, number[]> = {};
  if (item.commGroups !== undefined) {
    try {
      groups = JSON.parse(ctx.readText(item.commGroups)) as Record<string, number[]>;
    } catch (e) {
      throw new InputError(`${where}.commGroups: ${(e as Error).message}`);
    }
  }
  const all = Array.from({ length: n }, (_, r) => r);
  const groupOf = (pg: unknown, at: string): number[] => {
    const key = pg === undefined ? '' : String(pg);
    if (key === '' || key === '0') return groups[key] ?? all;
    const g = groups[key];
    if (!g) throw new InputError(`${at}: pg_name "${key}" is not in commGroups`);
    for (const r of g)
      if (!(r >= 0 && r < n)) throw new InputError(`${where}.commGroups.${key}: rank ${r} does not exist`);
    return g;
  };
  const startPs = Math.round(item.startUs * 1e6);

  // Per rank: nodes by id, the nodes waiting on each, what each node's completion is.
  traces.forEach((t, r) => {
    const m = new Map<number, EtNode>();
    for (const node of t.nodes) {
      if (m.has(node.id)) throw new InputError(`${item.trace}.${r}.et: node id ${node.id} appears twice`);
      m.set(node.id, node);
    }
    for (const node of t.nodes)
      for (const d of node.deps)
        if (!m.has(d))
          throw new InputError(`${item.trace}.${r}.et: node ${node.id} depends on node ${d}, which is not in the file`);
  });
  const done = traces.map(() => new Map<number, RankEntry>());
  const readyOf = (r: number, node: EtNode) =>
    mergeEntries(
      node.deps.map((d) => done[r].get(d)!),
      startPs,
    );
  const isReady = (r: number, node: EtNode) => node.deps.every((d) => done[r].has(d));

  // Matching: the i-th send on (src, dst, tag) with the i-th receive; the k-th collective of a group.
  const sendKey = (s: number, d: number, tag: unknown) => `${s}>${d}#${tag ?? 0}`;
  const sends = new Map<string, Array<[number, EtNode]>>();
  const recvs = new Map<string, Array<[number, EtNode]>>();
  const colls = new Map<string, Array<Array<EtNode>>>();
  const collGroup = new Map<EtNode, { key: string; members: number[]; k: number }>();
  traces.forEach((t, r) => {
    for (const node of t.nodes) {
      const at = `${item.trace}.${r}.et node ${node.id}`;
      if (node.type === NODE_TYPE.COMM_SEND || node.type === NODE_TYPE.COMM_RECV) {
        const isSend = node.type === NODE_TYPE.COMM_SEND;
        const peer = num(node.attrs.get(isSend ? 'comm_dst' : 'comm_src')) ?? r;
        if (!(peer >= 0 && peer < n) || peer === r)
          throw new InputError(`${at}: ${isSend ? 'comm_dst' : 'comm_src'} ${peer} is not another rank (0..${n - 1})`);
        const key = isSend
          ? sendKey(r, peer, node.attrs.get('comm_tag'))
          : sendKey(peer, r, node.attrs.get('comm_tag'));
        const m = isSend ? sends : recvs;
        if (!m.has(key)) m.set(key, []);
        m.get(key)!.push([r, node]);
      } else if (node.type === NODE_TYPE.COMM_COLL) {
        const members = groupOf(node.attrs.get('pg_name'), at);
        if (!members.includes(r))
          throw new InputError(`${at}: rank ${r} is not in its group ${JSON.stringify(members)}`);
        const key = JSON.stringify(members);
        if (!colls.has(key))
          colls.set(
            key,
            members.map(() => []),
          );
        const list = colls.get(key)![members.indexOf(r)];
        collGroup.set(node, { key, members, k: list.length });
        list.push(node);
      }
    }
  });
  const peerOf = new Map<EtNode, [number, EtNode]>();
  for (const [key, list] of sends) {
    const other = recvs.get(key) ?? [];
    if (other.length !== list.length)
      throw new InputError(`${item.trace}: ${list.length} sends but ${other.length} receives for ${key} (src>dst#tag)`);
    list.forEach(([r, s], i) => {
      peerOf.set(s, other[i]);
      peerOf.set(other[i][1], [r, s]);
    });
  }
  for (const [key, list] of recvs)
    if (!sends.has(key))
      throw new InputError(`${item.trace}: ${list.length} receives but no send for ${key} (src>dst#tag)`);

  const firstFlow = flows.length;
  const ops: OpRecord[] = [];
  const pending = traces.map((t) => t.nodes.slice());
  const algorithmFor = (kind: CollectiveKind) => item.algorithms?.[kind] ?? ALGORITHMS[kind][0];
  for (let progress = true; progress; ) {
    progress = false;
    for (let r = 0; r < n; r++) {
      const left: EtNode[] = [];
      for (const node of pending[r]) {
        if (done[r].has(node.id)) continue;
        if (!isReady(r, node)) {
          left.push(node);
          continue;
        }
        if (node.type === NODE_TYPE.COMP) {
          done[r].set(node.id, shiftEntry(readyOf(r, node), Math.round(node.durationMicros * 1e6)));
        } else if (node.type === NODE_TYPE.COMM_SEND || node.type === NODE_TYPE.COMM_RECV) {
          const [pr, peer] = peerOf.get(node)!;
          if (!isReady(pr, peer)) {
            left.push(node);
            continue;
          }
          const isSend = node.type === NODE_TYPE.COMM_SEND;
          const bytes = num(node.attrs.get('comm_size')) ?? num(peer.attrs.get('comm_size')) ?? 0;
          const [src, dst] = isSend ? [r, pr] : [pr, r];
          const entries = isSend ? [readyOf(r, node), readyOf(pr, peer)] : [readyOf(pr, peer), readyOf(r, node)];
          const both = mergeEntries(entries, startPs);
          let end: RankEntry = both;
          if (bytes > 0) {
            const f = flows.length;
            flows.push({
              src: hosts[src],
              dst: hosts[dst],
              sizeBytes: bytes,
              startPs: both.earliestPs,
              ...(both.deps.length ? { deps: both.deps, depLagPs: both.lagPs } : {}),
              job: jobIndex,
              op: ops.length,
              step: 0,
            });
            ops.push({
              name: (isSend ? node : peer).name || `sendRecv-${ops.length}`,
              iteration: 0,
              index: ops.length,
              kind: 'sendRecv',
              algorithm: 'p2p',
              sizeBytes: bytes,
              ranks: 2,
              channels: 1,
              chunks: 1,
              entries,
              firstFlow: f,
              endFlow: f + 1,
              headPs: 0,
              tailPs: 0,
              levels: 1,
            });
            end = { deps: [f], lagPs: [0], earliestPs: both.earliestPs };
          }
          done[r].set(node.id, end);
          done[pr].set(peer.id, end);
        } else if (node.type === NODE_TYPE.COMM_COLL) {
          const g = collGroup.get(node)!;
          const peers = colls.get(g.key)!.map((list) => list[g.k]);
          const missing = peers.indexOf(undefined as unknown as EtNode);
          if (missing >= 0)
            throw new InputError(
              `${item.trace}.${r}.et node ${node.id}: collective ${g.k} of group ${g.key} has no counterpart on rank ${g.members[missing]}`,
            );
          if (!peers.every((p, i) => isReady(g.members[i], p))) {
            left.push(node);
            continue;
          }
          const type = num(node.attrs.get('comm_type')) ?? 0;
          const kind = KINDS[type];
          if (kind === undefined)
            throw new InputError(
              `${item.trace}.${r}.et node ${node.id}: collective ${COMM_NAMES[type] ?? type} is not supported (all-reduce, all-gather, reduce-scatter, all-to-all, broadcast)`,
            );
          const m = g.members.length;
          const commSize = num(node.attrs.get('comm_size')) ?? 0;
          // ASTRA-sim reads an all-gather's comm_size as the per-rank input (docs/reference/collectives.md §0).
          const sizeBytes = kind === 'allGather' ? commSize * m : commSize;
          const entries = g.members.map((mr, i) => readyOf(mr, peers[i]));
          if (m < 2 || sizeBytes <= 0) {
            g.members.forEach((mr, i) => {
              done[mr].set(peers[i].id, entries[i]);
            });
          } else {
            const algorithm = algorithmFor(kind);
            const e = emitCollective(
              flows,
              g.members.map((mr) => hosts[mr]),
              {
                kind,
                algorithm,
                sizeBytes,
                channels: item.channels ?? (algorithm === 'doubleBinaryTree' ? 2 : 1),
                chunks: item.chunks,
                root: 0,
              },
              entries,
              { job: jobIndex, op: ops.length },
            );
            ops.push({
              name: node.name || `${kind}-${ops.length}`,
              iteration: 0,
              index: ops.length,
              kind,
              algorithm,
              sizeBytes,
              ranks: m,
              channels: item.channels ?? 1,
              chunks: item.chunks,
              entries,
              firstFlow: e.firstFlow,
              endFlow: e.endFlow,
              headPs: 0,
              tailPs: 0,
              levels: e.levels,
            });
            g.members.forEach((mr, i) => {
              done[mr].set(peers[i].id, e.exits[i]);
            });
          }
        } else {
          // Metadata, memory, storage and other nodes: no time, no traffic; they pass dependencies on.
          done[r].set(node.id, readyOf(r, node));
        }
        progress = true;
      }
      pending[r] = left;
    }
  }
  const stuck = pending.findIndex((p) => p.length > 0);
  if (stuck >= 0)
    throw new InputError(
      `${item.trace}.${stuck}.et: node ${pending[stuck][0].id} can never run (a dependency cycle, or a send, receive or collective its peers never reach)`,
    );
  // A rank's end: every node nothing else on the rank waits for.
  const ends = traces.map((t, r) => {
    const waited = new Set<number>();
    for (const node of t.nodes) for (const d of node.deps) waited.add(d);
    return mergeEntries(
      t.nodes.filter((node) => !waited.has(node.id)).map((node) => done[r].get(node.id)!),
      startPs,
    );
  });
  return {
    name,
    kind: 'chakra',
    item: itemIndex,
    hosts,
    startPs,
    iterations: 1,
    ops,
    iterationEnds: [ends.length ? ends : [entryAt(startPs)]],
    firstFlow,
    endFlow: flows.length,
  };
}
