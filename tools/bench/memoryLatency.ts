/**
 * The bench's memory line: nanoseconds per dependent read of a random cache line in a 256 MiB
 * array (a pointer chase through one random cycle of its lines, so that no read can start
 * before the one before it has returned and no prefetcher can guess the next).
 *
 * Why: the machine-speed line (js-sdsl's hold rates) times a queue that fits in the caches, and
 * says how fast this VM executes code today. Runs of 8,192 hosts and more wait on memory instead
 * (their packet and port records are many times the L3; docs/performance.md, "65,536 hosts"),
 * and on this project's VM memory's speed moves on its own: the 65,536-host UET run took 284 s
 * one evening (the machine-speed line read 0.59–0.61× two hours before) and 406 s five hours
 * later at 0.46×, with code that runs it at the same speed side by side (and 295 s at 0.44×
 * earlier that day, with older code). A latency read beside the large rows tells the two apart.
 */
import { RandomStreams } from '../../sim/engine/random.ts';
import { median } from './median.ts';

/** Int32 slots per 64-byte line. */
const LINE_WORDS = 16;

export interface MemoryLatency {
  /** Array size chased, MiB. */
  mib: number;
  /** Median over the rounds, ns per dependent read. */
  nsPerRead: number;
}

/**
 * `mib` MiB of Int32 whose lines form one random cycle: the first word of each line holds the
 * offset of the next line's first word.
 */
export function lineCycle(mib: number): Int32Array {
  const words = (mib * 1024 * 1024) / 4;
  const lines = words / LINE_WORDS;
  const a = new Int32Array(words);
  // The lines in a random order (Sattolo's shuffle; any shuffle would do), each pointing at the
  // next in it and the last at the first: one cycle, so the chase visits every line.
  const order = new Int32Array(lines);
  for (let i = 0; i < lines; i++) order[i] = i;
  const rng = new RandomStreams(1).stream('memory');
  for (let i = lines - 1; i > 0; i--) {
    const j = rng.int(i);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  for (let i = 0; i < lines; i++) a[order[i] * LINE_WORDS] = order[(i + 1) % lines] * LINE_WORDS;
  return a;
}

export function memoryLatency(mib = 256, reads = 4_000_000, rounds = 3): MemoryLatency {
  const a = lineCycle(mib);
  const ns: number[] = [];
  let p = 0;
  // A first chase gets the loop compiled (every page was written above), so the rounds time reads alone.
  p = chase(a, p, reads);
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now(); // wall clock: benchmark timing
    p = chase(a, p, reads);
    ns.push(((performance.now() - t0) * 1e6) / reads); // wall clock: benchmark timing
  }
  if (p < 0) throw new Error('unreachable: the chase reads non-negative offsets'); // keeps p live
  return { mib, nsPerRead: median(ns) };
}

function chase(a: Int32Array, start: number, reads: number): number {
  let p = start;
  for (let k = 0; k < reads; k++) p = a[p];
  return p;
}
