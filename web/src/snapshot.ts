/**
 * Live snapshots: the state of every port at one instant of a running simulation, packed in
 * one ArrayBuffer so the worker can transfer it (no copy) to the page at animation rate.
 *
 * Layout (little-endian, as typed arrays are on every platform we run on):
 *
 *   header   Float64 × 10  magic, version, portCount, simTimePs, events, flowsDone, flowsTotal, intervalPs,
 *                          kind (0 live view, 1 replay tape), tapeDtPs (the tape's interval when taken)
 *   queue    Float32 × n   data bytes queued at each port (priorities 0–5)
 *   util     Float32 × n   fraction of the port's line rate sent since the previous snapshot
 *   cause    Int32 × n     for a paused port: the egress port at its peer whose queue caused the pause, else -1
 *   root     Int32 × n     for a paused port: the root of its congestion tree (-1 none, -2 a cycle: deadlock)
 *   paused   Uint8 × n     the port's paused-priority bit mask
 *
 * Ports are numbered as in sim/topology/graph.ts: link i has port 2i at its `a` end and 2i+1
 * at `b`; a port sends towards its peer, port ^ 1.
 */
export const SNAP_MAGIC = 0x45534e50; // "ESNP"
export const SNAP_VERSION = 2;
const HEADER = 10;
/** A snapshot for the live view, sent at most at animation rate whenever the run has moved. */
export const KIND_LIVE = 0;
/** A replay-tape sample, taken at a fixed simulated-time interval whatever the pace (liveRun.ts). */
export const KIND_TAPE = 1;

export interface Snapshot {
  portCount: number;
  simTimePs: number;
  events: number;
  flowsDone: number;
  flowsTotal: number;
  /** Simulated time since the previous snapshot (the window `util` averages over). */
  intervalPs: number;
  kind: number;
  /** For a tape sample: the tape's interval when it was taken (it doubles as the tape fills). */
  tapeDtPs: number;
  queueBytes: Float32Array;
  util: Float32Array;
  cause: Int32Array;
  root: Int32Array;
  paused: Uint8Array;
}

export type SnapshotHeader = Pick<
  Snapshot,
  'portCount' | 'simTimePs' | 'events' | 'flowsDone' | 'flowsTotal' | 'intervalPs' | 'kind' | 'tapeDtPs'
>;

function byteLength(n: number): number {
  return HEADER * 8 + 16 * n + Math.ceil(n / 8) * 8;
}

/** Views over a fresh buffer for `portCount` ports; fill the arrays, then transfer `buffer`. */
export function allocSnapshot(portCount: number): Snapshot & { buffer: ArrayBuffer } {
  const buffer = new ArrayBuffer(byteLength(portCount));
  const s = viewsOf(buffer, portCount);
  new Float64Array(buffer, 0, HEADER).set([SNAP_MAGIC, SNAP_VERSION, portCount]);
  return Object.assign(s, { buffer });
}

/** Write the header fields of a snapshot allocated by allocSnapshot. */
export function writeHeader(buffer: ArrayBuffer, h: SnapshotHeader): void {
  new Float64Array(buffer, 0, HEADER).set([
    SNAP_MAGIC,
    SNAP_VERSION,
    h.portCount,
    h.simTimePs,
    h.events,
    h.flowsDone,
    h.flowsTotal,
    h.intervalPs,
    h.kind,
    h.tapeDtPs,
  ]);
}

function viewsOf(buffer: ArrayBuffer, n: number): Snapshot {
  let o = HEADER * 8;
  const queueBytes = new Float32Array(buffer, o, n);
  o += 4 * n;
  const util = new Float32Array(buffer, o, n);
  o += 4 * n;
  const cause = new Int32Array(buffer, o, n);
  o += 4 * n;
  const root = new Int32Array(buffer, o, n);
  o += 4 * n;
  const paused = new Uint8Array(buffer, o, n);
  return {
    portCount: n,
    simTimePs: 0,
    events: 0,
    flowsDone: 0,
    flowsTotal: 0,
    intervalPs: 0,
    kind: KIND_LIVE,
    tapeDtPs: 0,
    queueBytes,
    util,
    cause,
    root,
    paused,
  };
}

/** A snapshot buffer → typed views (no copy). Throws on a buffer that is not one. */
export function decodeSnapshot(buffer: ArrayBuffer): Snapshot {
  if (buffer.byteLength < HEADER * 8) throw new Error('snapshot: buffer too short');
  const h = new Float64Array(buffer, 0, HEADER);
  if (h[0] !== SNAP_MAGIC) throw new Error('snapshot: bad magic');
  if (h[1] !== SNAP_VERSION) throw new Error(`snapshot: version ${h[1]}, expected ${SNAP_VERSION}`);
  const n = h[2];
  if (!Number.isInteger(n) || n < 0 || buffer.byteLength !== byteLength(n))
    throw new Error('snapshot: size does not match its port count');
  const s = viewsOf(buffer, n);
  s.simTimePs = h[3];
  s.events = h[4];
  s.flowsDone = h[5];
  s.flowsTotal = h[6];
  s.intervalPs = h[7];
  s.kind = h[8];
  s.tapeDtPs = h[9];
  return s;
}

/** The paused (port → root) edges of a snapshot, grouped by root: the live congestion trees. */
export function treesOf(s: Pick<Snapshot, 'paused' | 'root'>): Map<number, number[]> {
  const trees = new Map<number, number[]>();
  for (let p = 0; p < s.paused.length; p++) {
    if (s.paused[p] === 0) continue;
    const r = s.root[p];
    let t = trees.get(r);
    if (t === undefined) trees.set(r, (t = []));
    t.push(p);
  }
  return trees;
}

/** A snapshot buffer's kind (KIND_LIVE or KIND_TAPE), read without decoding the rest. */
export function snapshotKind(buffer: ArrayBuffer): number {
  return new Float64Array(buffer, 0, HEADER)[8];
}
