import type { FailedLink } from '../net/faults.ts';
import { P, PRIO, REC } from '../net/packets.ts';
import type { Fabric, PauseObserver } from '../net/fabric.ts';
import { EV } from '../net/fabric.ts';
import type { FlowTable } from '../transport/flows.ts';

/**
 * What the analysis reads of the network and how it sets its deadlock timers: the live fabric
 * (liveView), or a replay of the pause logs of a partitioned run's partitions (pauseLog.ts).
 */
export interface CongestionView {
  readonly portCount: number;
  readonly hostCount: number;
  readonly nodeCount: number;
  readonly portNode: Int32Array;
  readonly names: string[];
  /** Bit p: priority p of `port` is paused now. */
  pausedBits(port: number): number;
  /** The egress port at port's peer that caused the pause of (port, prio) starting now. */
  pauseCause(port: number, prio: number): number;
  routeFor(node: number, dst: number, flow: number, ev: number): number;
  hostNicPort(host: number): number;
  nowPs(): number;
  /** Call onTimer(a, 0) at atPs. */
  setTimer(atPs: number, a: number): void;
  /** A PFC deadlock was found: end the run. */
  stopForDeadlock(): void;
}

/** The live fabric as the analysis sees it. */
export function liveView(f: Fabric): CongestionView {
  return {
    portCount: f.portCount,
    hostCount: f.hostCount,
    nodeCount: f.nodeCount,
    portNode: f.portNode,
    names: f.graph.nodeNames,
    pausedBits: (port) => f.pausedBits(port),
    // The pause came from the peer's ingress (port ^ 1); its cause was recorded at XOFF.
    pauseCause: (port, prio) => f.xoffCause[(port ^ 1) * PRIO.COUNT + prio],
    routeFor: (node, dst, flow, ev) => f.routeFor(node, dst, flow, ev),
    hostNicPort: (h) => f.routes.hostNicPort[h],
    nowPs: () => f.sim.now,
    setTimer: (atPs, a) => f.sim.at(atPs, EV.ANALYSIS, a, 0),
    stopForDeadlock: () => f.sim.requestStop('deadlock'),
  };
}

/**
 * Congestion trees, head-of-line blocking and PFC deadlock, from the simulator's ground truth
 * (docs/results.md#the-congestion-analysis).
 *
 * - An *edge* is a (port, priority) that its peer has paused: the port's node is upstream, the
 *   peer's buffer sent the PAUSE. Its *cause* is the egress port at the peer whose queue took
 *   the packet that crossed XOFF (the fabric records it when it sends the PAUSE).
 * - Following causes downstream: while the cause port is itself a paused edge the chain goes
 *   on; the first cause port that is not paused is the *root*: a queue that grew because of its
 *   own line rate. Roots are resolved when each pause starts (a later change further
 *   downstream does not re-root an edge that stays paused).
 * - A tree is the set of currently paused edges sharing a root; depth = longest chain (edges)
 *   to the root, breadth = number of paused edges.
 * - A data packet is head-of-line blocked for the part of its wait during which its queue was
 *   paused; it counts against its flow as victim time only if the packet's own path, from its
 *   source, does not cross the root. A host NIC paused while it has a flow with data to send
 *   blocks that flow likewise.
 * - A cycle of causes is a cyclic buffer dependency; if every edge of it stays paused (no
 *   RESUME) for `deadlockTimeoutPs`, it is a PFC deadlock and the run stops.
 */

export interface PauseInterval {
  /** Upstream node whose egress was paused, and the node whose buffer paused it. */
  node: string;
  peer: string;
  port: number;
  priority: number;
  startPs: number;
  /** -1 while still paused at the end of the run. */
  endPs: number;
  /** The egress port at `peer` whose queue caused the pause, and the tree's root port. */
  causePort: number;
  rootPort: number;
}

export interface CongestionTree {
  id: number;
  rootPort: number;
  /** "switch->next" of the root port. */
  root: string;
  formedPs: number;
  /** -1 if the tree still existed when the run ended. */
  vanishedPs: number;
  maxBreadth: number;
  maxDepth: number;
  hostsReached: string[];
  pausedLinkTimePs: number;
  /** [timePs, breadth, depth] at every change (bounded; see timelineDropped). */
  timeline: Array<[number, number, number]>;
  timelineDropped: number;
}

export interface VictimFlow {
  flow: number;
  src: number;
  dst: number;
  blockedPs: number;
  /** blockedPs / FCT (or / run time for an unfinished flow). */
  fctShare: number;
  roots: string[];
}

export interface RootStat {
  root: string;
  rootPort: number;
  pausedLinkTimePs: number;
  trees: number;
  victims: number[];
  victimBlockedPs: number;
}

export interface Deadlock {
  formedPs: number;
  detectedPs: number;
  priority: number;
  /** The cycle as links "a->b", in cause order. */
  cycle: string[];
  ports: number[];
}

export interface CongestionResult {
  /** Links a scheduled fault took down, degraded or made lossy, and when (docs/faults.md). */
  failedLinks?: FailedLink[];
  pauseIntervals: PauseInterval[];
  pauseIntervalsDropped: number;
  trees: CongestionTree[];
  treesDropped: number;
  victims: VictimFlow[];
  roots: RootStat[];
  deadlocks: Deadlock[];
  summary: {
    trees: number;
    largestDepth: number;
    largestBreadth: number;
    victims: number;
    victimBlockedPs: number;
    deadlocks: number;
  };
}

interface OpenTree {
  rec: CongestionTree;
  edges: Set<number>;
  hosts: Set<string>;
}

interface Candidate {
  edges: number[];
  gens: number[];
  formedPs: number;
  priority: number;
  open: boolean;
}

const MAX_INTERVALS = 20_000;
const MAX_TREES = 2_000;
const MAX_TIMELINE = 400;

export class CongestionAnalysis implements PauseObserver {
  private readonly edgeCause: Int32Array;
  private readonly edgeRoot: Int32Array;
  private readonly edgeDepth: Int32Array;
  private readonly edgeGen: Int32Array;
  private readonly edgeInterval: Int32Array;
  private readonly openTrees = new Map<number, OpenTree>();
  private readonly trees: CongestionTree[] = [];
  private treesDropped = 0;
  private readonly intervals: PauseInterval[] = [];
  private intervalsDropped = 0;
  private readonly rootStats = new Map<number, RootStat>();
  private readonly flowBlocked: Float64Array;
  /** End of the flow's blocked time counted so far: blocked spans of its packets are merged,
   *  so many packets waiting out the same pause count that pause once. */
  private readonly flowBlockedUntil: Float64Array;
  private readonly flowRoots: Array<Set<number> | undefined>;
  private readonly candidates: Candidate[] = [];
  private readonly deadlocks: Deadlock[] = [];
  private readonly names: string[];

  constructor(
    private readonly fabric: CongestionView,
    private readonly flows: FlowTable,
    private readonly deadlockTimeoutPs: number,
    /** Flows with data waiting at a host (for host-NIC blocking); cold path. */
    private readonly waitingFlows: (host: number) => number[],
    /** The entropy a flow's packets carry when that is fixed (per-flow ECMP); used to trace the
     *  path of a flow blocked at its own NIC, which has no packet to read it from. */
    private readonly entropyOf: (flow: number) => number,
  ) {
    const nq = fabric.portCount * PRIO.COUNT;
    this.edgeCause = new Int32Array(nq).fill(-1);
    this.edgeRoot = new Int32Array(nq).fill(-1);
    this.edgeDepth = new Int32Array(nq);
    this.edgeGen = new Int32Array(nq);
    this.edgeInterval = new Int32Array(nq).fill(-1);
    this.flowBlocked = new Float64Array(flows.count);
    this.flowBlockedUntil = new Float64Array(flows.count);
    this.flowRoots = new Array(flows.count);
    this.names = fabric.names;
    this.pool = null;
  }

  /** The live fabric's packets, for onBlocked (null when replaying a log, which gives flow and entropy). */
  private pool: Fabric['pool'] | null;

  /** Analyse the live fabric `f` (its pause observer). */
  static live(
    f: Fabric,
    flows: FlowTable,
    deadlockTimeoutPs: number,
    waitingFlows: (host: number) => number[],
    entropyOf: (flow: number) => number,
  ): CongestionAnalysis {
    const a = new CongestionAnalysis(liveView(f), flows, deadlockTimeoutPs, waitingFlows, entropyOf);
    a.pool = f.pool;
    return a;
  }

  private portName(port: number): string {
    const f = this.fabric;
    return `${this.names[f.portNode[port]]}->${this.names[f.portNode[port ^ 1]]}`;
  }

  private isPaused(port: number, prio: number): boolean {
    return (this.fabric.pausedBits(port) & (1 << prio)) !== 0;
  }

  // ------------------------------------------------------------------ pauses

  onPauseChange(port: number, prio: number, paused: boolean, nowPs: number): void {
    const e = port * PRIO.COUNT + prio;
    this.edgeGen[e]++;
    if (paused) this.onPause(port, prio, e, nowPs);
    else this.onResume(port, e, nowPs);
  }

  private onPause(port: number, prio: number, e: number, now: number): void {
    const f = this.fabric;
    const cause = f.pauseCause(port, prio);
    this.edgeCause[e] = cause;
    // Follow causes downstream to the root, watching for a cycle.
    let depth = 1;
    let root = cause;
    const seen: number[] = [port];
    while (root >= 0 && this.isPaused(root, prio)) {
      if (seen.includes(root)) {
        this.cycleFound(seen.slice(seen.indexOf(root)), prio, now);
        root = -1;
        break;
      }
      seen.push(root);
      depth++;
      root = this.edgeCause[root * PRIO.COUNT + prio];
      if (depth > f.portCount) {
        root = -1;
        break;
      }
    }
    this.edgeRoot[e] = root;
    this.edgeDepth[e] = depth;
    if (this.intervals.length < MAX_INTERVALS) {
      this.edgeInterval[e] = this.intervals.length;
      this.intervals.push({
        node: this.names[f.portNode[port]],
        peer: this.names[f.portNode[port ^ 1]],
        port,
        priority: prio,
        startPs: now,
        endPs: -1,
        causePort: cause,
        rootPort: root,
      });
    } else {
      this.edgeInterval[e] = -1;
      this.intervalsDropped++;
    }
    if (root < 0) return;
    let t = this.openTrees.get(root);
    if (t === undefined) {
      const rec: CongestionTree = {
        id: this.trees.length + this.treesDropped,
        rootPort: root,
        root: this.portName(root),
        formedPs: now,
        vanishedPs: -1,
        maxBreadth: 0,
        maxDepth: 0,
        hostsReached: [],
        pausedLinkTimePs: 0,
        timeline: [],
        timelineDropped: 0,
      };
      t = { rec, edges: new Set(), hosts: new Set() };
      this.openTrees.set(root, t);
      if (this.trees.length < MAX_TREES) this.trees.push(rec);
      else this.treesDropped++;
      this.rootStat(root).trees++;
    }
    t.edges.add(e);
    const node = f.portNode[port];
    if (node < f.hostCount) t.hosts.add(this.names[node]);
    this.updateTree(t, now);
  }

  private onResume(port: number, e: number, now: number): void {
    const f = this.fabric;
    const iv = this.edgeInterval[e];
    let start = now;
    if (iv >= 0) {
      this.intervals[iv].endPs = now;
      start = this.intervals[iv].startPs;
    }
    const root = this.edgeRoot[e];
    // A paused host NIC blocks every flow that was waiting to send there.
    const node = f.portNode[port];
    if (node < f.hostCount && root >= 0 && now > start) {
      for (const fl of this.waitingFlows(node)) this.blockFlow(fl, root, now - start, -1);
    }
    if (root < 0) return;
    const t = this.openTrees.get(root);
    const st = this.rootStat(root);
    st.pausedLinkTimePs += now - start;
    if (t === undefined || !t.edges.delete(e)) return;
    t.rec.pausedLinkTimePs += now - start;
    this.updateTree(t, now);
    if (t.edges.size === 0) {
      t.rec.vanishedPs = now;
      this.openTrees.delete(root);
    }
  }

  private updateTree(t: OpenTree, now: number): void {
    let depth = 0;
    for (const e of t.edges) if (this.edgeDepth[e] > depth) depth = this.edgeDepth[e];
    const breadth = t.edges.size;
    const r = t.rec;
    if (breadth > r.maxBreadth) r.maxBreadth = breadth;
    if (depth > r.maxDepth) r.maxDepth = depth;
    if (r.timeline.length < MAX_TIMELINE) r.timeline.push([now, breadth, depth]);
    else r.timelineDropped++;
    if (t.hosts.size !== r.hostsReached.length) r.hostsReached = [...t.hosts].sort();
  }

  private rootStat(root: number): RootStat {
    let s = this.rootStats.get(root);
    if (s === undefined) {
      s = { root: this.portName(root), rootPort: root, pausedLinkTimePs: 0, trees: 0, victims: [], victimBlockedPs: 0 };
      this.rootStats.set(root, s);
    }
    return s;
  }

  // ------------------------------------------------------------------ head-of-line blocking

  onBlocked(pkt: number, port: number, prio: number, blockedPs: number): void {
    const pool = this.pool!;
    this.blocked(pool.i32[(pkt << REC.SHIFT) + P.FLOW], pool.i32[(pkt << REC.SHIFT) + P.EV], port, prio, blockedPs);
  }

  /** A packet of `flow` (entropy ev) left (port, prio) after waiting blockedPs while it was paused. */
  blocked(flow: number, ev: number, port: number, prio: number, blockedPs: number): void {
    const root = this.edgeRoot[port * PRIO.COUNT + prio];
    if (root < 0) return;
    if (flow < 0 || flow >= this.flows.count) return;
    this.blockFlow(flow, root, blockedPs, ev);
  }

  /** Charge blocked time to a flow if its path (with entropy ev; -1 = its first packet's) avoids the root. */
  private blockFlow(flow: number, root: number, blockedPs: number, ev: number): void {
    if (this.pathCrosses(flow, root, ev)) return;
    const now = this.fabric.nowPs();
    const start = now - blockedPs;
    const until = this.flowBlockedUntil[flow];
    const add = start >= until ? blockedPs : now > until ? now - until : 0;
    if (now > until) this.flowBlockedUntil[flow] = now;
    if (add <= 0) return;
    this.flowBlocked[flow] += add;
    let roots = this.flowRoots[flow];
    if (roots === undefined) this.flowRoots[flow] = roots = new Set();
    roots.add(root);
    this.rootStat(root).victimBlockedPs += add;
  }

  private pathCrosses(flow: number, root: number, ev: number): boolean {
    const f = this.fabric;
    const src = this.flows.src[flow];
    const dst = this.flows.dst[flow];
    let port = f.hostNicPort(src);
    const e = ev >= 0 ? ev : this.entropyOf(flow);
    for (let hops = 0; hops <= f.nodeCount; hops++) {
      if (port === root) return true;
      const node = f.portNode[port ^ 1];
      if (node < f.hostCount) return false;
      port = f.routeFor(node, dst, flow, e);
    }
    return false;
  }

  // ------------------------------------------------------------------ deadlock

  private cycleFound(edges: number[], prio: number, now: number): void {
    // Edges are ports here; store (port, prio) keys.
    const keys = edges.map((p) => p * PRIO.COUNT + prio);
    const sig = [...keys].sort((a, b) => a - b).join(',');
    if (this.candidates.some((c) => c.open && [...c.edges].sort((a, b) => a - b).join(',') === sig)) return;
    const c: Candidate = {
      edges: keys,
      gens: keys.map((k) => this.edgeGen[k]),
      formedPs: now,
      priority: prio,
      open: true,
    };
    this.candidates.push(c);
    this.fabric.setTimer(now + this.deadlockTimeoutPs, this.candidates.length - 1);
  }

  onTimer(a: number, _b: number): void {
    const c = this.candidates[a];
    if (c === undefined || !c.open) return;
    c.open = false;
    const held = c.edges.every(
      (k, i) => this.edgeGen[k] === c.gens[i] && this.isPaused(Math.floor(k / PRIO.COUNT), k % PRIO.COUNT),
    );
    if (!held) return;
    const ports = c.edges.map((k) => Math.floor(k / PRIO.COUNT));
    this.deadlocks.push({
      formedPs: c.formedPs,
      detectedPs: this.fabric.nowPs(),
      priority: c.priority,
      cycle: ports.map((p) => this.portName(p)),
      ports,
    });
    this.fabric.stopForDeadlock();
  }

  // ------------------------------------------------------------------ result

  result(endPs: number): CongestionResult {
    // Close what is still open at the end of the run (time counted, end left at -1).
    for (const t of this.openTrees.values()) {
      for (const e of t.edges) {
        const iv = this.edgeInterval[e];
        if (iv >= 0) t.rec.pausedLinkTimePs += endPs - this.intervals[iv].startPs;
      }
    }
    const victims: VictimFlow[] = [];
    for (let fl = 0; fl < this.flows.count; fl++) {
      const b = this.flowBlocked[fl];
      if (b <= 0) continue;
      const fin = this.flows.finishPs[fl];
      const life = (fin >= 0 ? fin : endPs) - this.flows.startPs[fl];
      const roots = [...(this.flowRoots[fl] ?? [])].sort((x, y) => x - y);
      victims.push({
        flow: fl,
        src: this.flows.src[fl],
        dst: this.flows.dst[fl],
        blockedPs: b,
        fctShare: life > 0 ? b / life : 0,
        roots: roots.map((r) => this.portName(r)),
      });
      for (const r of roots) this.rootStat(r).victims.push(fl);
    }
    victims.sort((x, y) => y.blockedPs - x.blockedPs || x.flow - y.flow);
    const roots = [...this.rootStats.values()].sort((x, y) => x.rootPort - y.rootPort);
    let largestDepth = 0;
    let largestBreadth = 0;
    for (const t of this.trees) {
      largestDepth = Math.max(largestDepth, t.maxDepth);
      largestBreadth = Math.max(largestBreadth, t.maxBreadth);
    }
    return {
      pauseIntervals: this.intervals,
      pauseIntervalsDropped: this.intervalsDropped,
      trees: this.trees,
      treesDropped: this.treesDropped,
      victims,
      roots,
      deadlocks: this.deadlocks,
      summary: {
        trees: this.trees.length + this.treesDropped,
        largestDepth,
        largestBreadth,
        victims: victims.length,
        victimBlockedPs: victims.reduce((s, v) => s + v.blockedPs, 0),
        deadlocks: this.deadlocks.length,
      },
    };
  }
}
