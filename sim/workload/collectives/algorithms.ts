import { InputError } from '../../scenario/inputError.ts';

/**
 * Collectives as point-to-point transfers with dependencies, the way collective libraries break
 * them up (docs/reference/collectives.md). Ranks are positions 0..n−1; the caller maps them to
 * hosts. Each function returns one "template": the transfers of one independent replica of the
 * collective (one channel's, one pipeline chunk's) over `bytes`; sim/workload/collectives/emit.ts
 * instantiates it per channel and chunk and links it to the ranks' previous work.
 *
 * A transfer waits for every transfer in `deps` (indices into the same template) to complete.
 * Zero-byte transfers (a block of a buffer smaller than the rank count) are kept so that the
 * structure is the same for every replica; the emitter drops them and passes their deps on.
 */
export interface Transfer {
  src: number;
  dst: number;
  bytes: number;
  deps: number[];
  /** The algorithm's step (a ring send number, a halving/doubling round, a tree level), from 0. */
  step: number;
}

export type CollectiveKind = 'allReduce' | 'reduceScatter' | 'allGather' | 'allToAll' | 'broadcast';
export type Algorithm = 'ring' | 'halvingDoubling' | 'doubleBinaryTree' | 'pairwise' | 'direct' | 'binomial';

/** Algorithms each collective accepts; the first is the default. */
export const ALGORITHMS: Record<CollectiveKind, Algorithm[]> = {
  allReduce: ['ring', 'halvingDoubling', 'doubleBinaryTree'],
  reduceScatter: ['ring', 'halvingDoubling'],
  allGather: ['ring', 'halvingDoubling'],
  allToAll: ['pairwise', 'direct'],
  broadcast: ['ring', 'binomial'],
};

/**
 * nccl-tests' bus-bandwidth factor (docs/reference/collectives.md §3): all-reduce 2(n−1)/n;
 * reduce-scatter, all-gather and all-to-all (n−1)/n; broadcast 1.
 */
export function busBwFactor(kind: CollectiveKind, n: number): number {
  if (kind === 'allReduce') return (2 * (n - 1)) / n;
  if (kind === 'broadcast') return 1;
  return (n - 1) / n;
}

/** `total` bytes cut into `parts` integer pieces as equal as possible (the first ones larger), summing to total. */
export function splitBytes(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const extra = total - base * parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

const isPow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;

// ------------------------------------------------------------------ ring (§1.1)

/**
 * Ring all-reduce, or one of its halves. Send s (0 … 2n−3) of position i goes to i+1 and carries
 * block (i−1−s) mod n; sends 0 … n−2 are the reduce-scatter, n−1 … 2n−3 the all-gather. Send s
 * waits for send s−1 of position i−1 (the same block, arriving) and for position i's own send
 * s−1 (a rank's sends on one ring go out in order).
 * `from`/`to`: the range of send numbers (AR 0..2n−2, RS 0..n−1, AG n−1..2n−2).
 */
function ring(n: number, bytes: number, from: number, to: number): Transfer[] {
  const blocks = splitBytes(bytes, n);
  const out: Transfer[] = [];
  const idx = (s: number, i: number) => (s - from) * n + i;
  for (let s = from; s < to; s++) {
    for (let i = 0; i < n; i++) {
      const block = (((i - 1 - s) % n) + 2 * n) % n;
      const deps = s > from ? [idx(s - 1, (i - 1 + n) % n), idx(s - 1, i)] : [];
      out.push({ src: i, dst: (i + 1) % n, bytes: blocks[block], deps, step: s - from });
    }
  }
  return out;
}

// ------------------------------------------------------------------ recursive halving/doubling (§1.2)

/**
 * Rabenseifner's all-reduce (MPICH reduce_scatter_allgather): a reduce-scatter by recursive
 * halving (partner i XOR 2^j, distance 1 first; the lower rank of a pair keeps the lower half),
 * then an all-gather by recursive doubling over the same partners in reverse. Every round waits
 * for the rank's own send and its receive of the previous round. With n not a power of two the
 * first 2r ranks (r = n − 2^⌊log2 n⌋) fold in pairs: the even one sends its whole buffer to its
 * odd neighbour before, and gets the result back after.
 * `phases`: which halves to run ('rs' needs no fold: RS and AG alone take power-of-two n).
 */
function halvingDoubling(n: number, bytes: number, phases: 'ar' | 'rs' | 'ag'): Transfer[] {
  const p2 = 2 ** Math.floor(Math.log2(n));
  const r = n - p2;
  if (r > 0 && phases !== 'ar')
    throw new InputError(
      `halvingDoubling ${phases === 'rs' ? 'reduce-scatter' : 'all-gather'}: needs a power-of-two number of ranks, got ${n}`,
    );
  const k = Math.log2(p2);
  const out: Transfer[] = [];
  // Real position of virtual rank v.
  const real = (v: number) => (v < r ? 2 * v + 1 : v + r);
  // The transfers each virtual rank last sent and received (what its next round waits on).
  const lastSend: number[] = Array(p2).fill(-1);
  const lastRecv: number[] = Array(p2).fill(-1);
  const waits = (v: number) => [lastSend[v], lastRecv[v]].filter((x) => x >= 0);
  let step = 0;
  if (r > 0) {
    for (let v = 0; v < r; v++) {
      lastRecv[v] = out.length;
      out.push({ src: 2 * v, dst: 2 * v + 1, bytes, deps: [], step });
    }
    step++;
  }
  // Each virtual rank's segment [lo, hi) of the buffer.
  const lo: number[] = Array(p2).fill(0);
  const hi: number[] = Array(p2).fill(bytes);
  if (phases === 'ag') {
    // Rank v starts with its own block of the output: the one recursive halving would have left it.
    for (let j = 0; j < k; j++)
      for (let v = 0; v < p2; v++) {
        const mid = lo[v] + Math.floor((hi[v] - lo[v]) / 2);
        if (v < (v ^ (1 << j))) hi[v] = mid;
        else lo[v] = mid;
      }
  }
  const round = (j: number, halving: boolean) => {
    const sends: number[] = [];
    const nlo = lo.slice();
    const nhi = hi.slice();
    for (let v = 0; v < p2; v++) {
      const partner = v ^ (1 << j);
      let size: number;
      if (halving) {
        const mid = lo[v] + Math.floor((hi[v] - lo[v]) / 2);
        // The lower of the pair keeps the lower half and sends the upper.
        size = v < partner ? hi[v] - mid : mid - lo[v];
        if (v < partner) nhi[v] = mid;
        else nlo[v] = mid;
      } else {
        size = hi[v] - lo[v];
        nlo[v] = Math.min(lo[v], lo[partner]);
        nhi[v] = Math.max(hi[v], hi[partner]);
      }
      sends[v] = out.length;
      out.push({ src: real(v), dst: real(partner), bytes: size, deps: waits(v), step });
    }
    for (let v = 0; v < p2; v++) {
      lastSend[v] = sends[v];
      lastRecv[v] = sends[v ^ (1 << j)];
      lo[v] = nlo[v];
      hi[v] = nhi[v];
    }
    step++;
  };
  if (phases !== 'ag') for (let j = 0; j < k; j++) round(j, true);
  if (phases !== 'rs') for (let j = k - 1; j >= 0; j--) round(j, false);
  if (r > 0) for (let v = 0; v < r; v++) out.push({ src: 2 * v + 1, dst: 2 * v, bytes, deps: waits(v), step });
  return out;
}

// ------------------------------------------------------------------ double binary tree (§1.3)

/**
 * NCCL's binary tree over m members (src/graph/trees.cc ncclGetBtree): with b the lowest set bit
 * of r, the parent is (r XOR b) | 2b, or r XOR b when that is ≥ m; the children r − b/2 and
 * r + b/2, the right one's offset halved until it lands below m. Member 0 is the root, whose one
 * child is the largest power of two below m. Returns each member's parent (−1 for the root).
 */
export function btreeParents(m: number): number[] {
  const parent: number[] = [-1];
  for (let r = 1; r < m; r++) {
    const b = r & -r;
    let up = (r ^ b) | (b << 1);
    if (up >= m) up = r ^ b;
    parent.push(up);
  }
  return parent;
}

/**
 * Tree t (0 or 1) of NCCL's double binary tree: tree 0 as btreeParents; tree 1 its mirror
 * (r ↦ m−1−r) when m is even, its shift by one (r ↦ r+1 mod m) when m is odd, so that (for even
 * m) every member interior in one tree is a leaf in the other.
 */
export function dbtParents(m: number, t: number): number[] {
  const p0 = btreeParents(m);
  if (t === 0) return p0;
  const map = (x: number) => (m % 2 === 0 ? m - 1 - x : (x + 1) % m);
  const p1: number[] = Array(m).fill(-1);
  for (let x = 0; x < m; x++) p1[map(x)] = p0[x] < 0 ? -1 : map(p0[x]);
  return p1;
}

/**
 * One tree's all-reduce of `bytes`: reduce up (a member sends to its parent once every child has
 * sent to it), then broadcast down (the root sends to its children once it has its children's
 * data; every other member forwards to its children what its parent sent it). Steps: up-sends
 * at D − depth(member), down-sends at D + depth(member) − 1 … so a chain is 2D transfers long
 * (D the tree's depth).
 */
function treeAllReduce(m: number, bytes: number, tree: number): Transfer[] {
  const parent = dbtParents(m, tree);
  const children: number[][] = Array.from({ length: m }, () => []);
  let root = 0;
  for (let x = 0; x < m; x++) {
    if (parent[x] < 0) root = x;
    else children[parent[x]].push(x);
  }
  const depth: number[] = Array(m).fill(-1);
  const order: number[] = [root];
  depth[root] = 0;
  for (let i = 0; i < order.length; i++)
    for (const c of children[order[i]]) {
      depth[c] = depth[order[i]] + 1;
      order.push(c);
    }
  const D = Math.max(...depth);
  const out: Transfer[] = [];
  const upInto: number[][] = Array.from({ length: m }, () => []);
  const up: number[] = Array(m).fill(-1);
  // Up: deepest members first, so a member's children are emitted before it.
  for (let i = order.length - 1; i >= 1; i--) {
    const x = order[i];
    up[x] = out.length;
    out.push({ src: x, dst: parent[x], bytes, deps: upInto[x].slice(), step: D - depth[x] });
    upInto[parent[x]].push(up[x]);
  }
  const downInto: number[] = Array(m).fill(-1);
  for (const x of order) {
    const deps = x === root ? upInto[x].slice() : [downInto[x]];
    for (const c of children[x]) {
      downInto[c] = out.length;
      out.push({ src: x, dst: c, bytes, deps, step: D + depth[x] });
    }
  }
  return out;
}

// ------------------------------------------------------------------ all-to-all (§1.4)

/**
 * Pairwise exchange: in step k = 1 … n−1 rank i sends its block for (i+k) mod n (partner i XOR k
 * when n is a power of two) and waits for its own send and its receive of step k−1. Direct: the
 * n−1 sends all at once. The self block stays local. `bytes` is the whole send buffer (n blocks).
 */
function allToAll(n: number, bytes: number, pairwise: boolean): Transfer[] {
  const blocks = splitBytes(bytes, n);
  const out: Transfer[] = [];
  const pow2 = isPow2(n);
  const peer = (i: number, k: number) => (pow2 ? i ^ k : (i + k) % n);
  const prevSend: number[] = Array(n).fill(-1);
  for (let k = 1; k < n; k++) {
    const sends: number[] = [];
    for (let i = 0; i < n; i++) {
      const dst = peer(i, k);
      let deps: number[] = [];
      if (pairwise && k > 1) {
        // The previous step's receive: from the rank whose step-(k−1) peer is i.
        const from = pow2 ? i ^ (k - 1) : (i - (k - 1) + n) % n;
        deps = [prevSend[i], prevSend[from]];
      }
      sends[i] = out.length;
      out.push({ src: i, dst, bytes: blocks[dst], deps, step: pairwise ? k - 1 : 0 });
    }
    for (let i = 0; i < n; i++) prevSend[i] = sends[i];
  }
  return out;
}

// ------------------------------------------------------------------ broadcast (§1.5)

/** NCCL's chain: root → root+1 → … around the ring; each rank forwards what it received. */
function chainBroadcast(n: number, bytes: number, root: number): Transfer[] {
  const out: Transfer[] = [];
  for (let h = 0; h < n - 1; h++)
    out.push({ src: (root + h) % n, dst: (root + h + 1) % n, bytes, deps: h > 0 ? [h - 1] : [], step: h });
  return out;
}

/** Binomial tree (MPICH): in round j every rank that has the data (relative rank < 2^j) sends it to relative rank + 2^j. */
function binomialBroadcast(n: number, bytes: number, root: number): Transfer[] {
  const out: Transfer[] = [];
  const got: number[] = Array(n).fill(-1); // the transfer that brought rank (relative) its data
  const lastSend: number[] = Array(n).fill(-1);
  for (let j = 0, d = 1; d < n; j++, d *= 2) {
    for (let rel = 0; rel < d && rel + d < n; rel++) {
      const deps = [got[rel], lastSend[rel]].filter((x) => x >= 0);
      lastSend[rel] = got[rel + d] = out.length;
      out.push({ src: (rel + root) % n, dst: (rel + d + root) % n, bytes, deps, step: j });
    }
  }
  return out;
}

// ------------------------------------------------------------------ dispatch

export interface TemplateParams {
  kind: CollectiveKind;
  algorithm: Algorithm;
  ranks: number;
  bytes: number;
  /** The channel this replica runs on (double binary tree: channel c uses tree c mod 2). */
  channel: number;
  /** Broadcast root (a rank position). */
  root: number;
}

/** One replica's transfers (see the file comment). */
export function collectiveTemplate(p: TemplateParams): Transfer[] {
  const { kind, algorithm: a, ranks: n, bytes } = p;
  if (!ALGORITHMS[kind].includes(a))
    throw new InputError(`algorithm: ${kind} takes one of: ${ALGORITHMS[kind].join(', ')}, got "${a}"`);
  if (n < 2) throw new InputError(`${kind}: needs at least 2 ranks, got ${n}`);
  switch (kind) {
    case 'allReduce':
      if (a === 'ring') return ring(n, bytes, 0, 2 * n - 2);
      if (a === 'halvingDoubling') return halvingDoubling(n, bytes, 'ar');
      return treeAllReduce(n, bytes, p.channel % 2);
    case 'reduceScatter':
      return a === 'ring' ? ring(n, bytes, 0, n - 1) : halvingDoubling(n, bytes, 'rs');
    case 'allGather':
      return a === 'ring' ? ring(n, bytes, n - 1, 2 * n - 2) : halvingDoubling(n, bytes, 'ag');
    case 'allToAll':
      return allToAll(n, bytes, a === 'pairwise');
    case 'broadcast':
      return a === 'ring' ? chainBroadcast(n, bytes, p.root) : binomialBroadcast(n, bytes, p.root);
  }
}
