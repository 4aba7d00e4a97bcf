import { performance } from 'node:perf_hooks';
import type { PartitionTiming } from '../run/parallel/barrier.ts';

/**
 * `ethersim run --timing`: where one process's wall time went, printed on stderr after the
 * report. Node's own start is read from `performance.nodeTiming` (its bootstrap ends where our
 * first module starts); every later phase is the wall clock between two marks the command sets.
 * The wall clock is read here, in the command line, never in the model (the run layer only
 * calls back at its phase ends, sim/run/run.ts `onPhase`).
 *
 * The run's warm-up shows as events/s over the first and the second half of its events: the
 * same code runs in both halves, so a first half slower than the second is time spent
 * interpreting and compiling (docs/performance.md, "Start-up and warm-up").
 */

/** The phases in the order they happen; a phase not marked (a partitioned run's build) is left out. */
const PHASES = [
  ['cli', 'module load (CLI, scenario layer)'],
  ['scenario', 'scenario (read, parse, validate)'],
  ['core', 'module load (simulator core)'],
  ['build', 'build'],
  ['run', 'run'],
  ['report', 'report'],
] as const;

export type Phase = (typeof PHASES)[number][0];

/** Events between two progress samples while timing (small enough to split a short run in halves). */
export const TIMING_SAMPLE_EVENTS = 4096;

export class PhaseClock {
  private readonly ends = new Map<Phase, number>();
  private readonly samples: { ms: number; events: number }[] = [];
  private perPartition: PartitionTiming[] = [];
  /** When Node's bootstrap ended and our first module began (ms since the process started). */
  readonly nodeMs: number;
  /** When V8 started: before it, Node's per-process set-up (OpenSSL, and the file NODE_EXTRA_CA_CERTS names). */
  private readonly v8Ms: number;
  /** NODE_EXTRA_CA_CERTS was set: Node parsed that certificate file before V8 started. */
  private readonly extraCaCerts: boolean;

  constructor() {
    this.nodeMs = performance.nodeTiming.bootstrapComplete;
    this.v8Ms = performance.nodeTiming.v8Start;
    this.extraCaCerts = (process.env.NODE_EXTRA_CA_CERTS ?? '') !== '';
  }

  /** Phase `p` ends now (later marks of the same phase move its end). */
  end(p: Phase): void {
    this.ends.set(p, performance.now());
  }

  has(p: Phase): boolean {
    return this.ends.has(p);
  }

  /** Phase `p` ended at `ms` (performance.now() read earlier). */
  endAt(p: Phase, ms: number): void {
    this.ends.set(p, ms);
  }

  /** A threaded partitioned run's windows, per partition thread (sim/run/parallel/barrier.ts). */
  partitions(t: PartitionTiming[]): void {
    this.perPartition = t;
  }

  /** A progress sample of the run: events handled so far, now. */
  sample(events: number): void {
    this.samples.push({ ms: performance.now(), events });
  }

  /** Events/s over the first and the second half of the run's events, from the samples. */
  halves(totalEvents: number): [number, number] | null {
    const s = [...this.samples];
    const ran = this.ends.get('run');
    if (ran === undefined || s.length < 2 || totalEvents < 4 * TIMING_SAMPLE_EVENTS) return null;
    s.push({ ms: ran, events: totalEvents });
    // The wall time at which half the events were done, interpolated between samples.
    const half = totalEvents / 2;
    let i = 1;
    while (i < s.length - 1 && s[i].events < half) i++;
    const a = s[i - 1];
    const b = s[i];
    const midMs = a.ms + ((b.ms - a.ms) * (half - a.events)) / Math.max(1, b.events - a.events);
    const startMs = s[0].ms;
    return [half / ((midMs - startMs) / 1000), half / ((ran - midMs) / 1000)];
  }

  /** The table, one phase a line, in ms. */
  format(events?: number): string {
    // Node's start in two: its per-process set-up before V8 (a few ms, unless NODE_EXTRA_CA_CERTS
    // names a CA bundle: Node then builds its root certificate store and adds every certificate
    // of the file to it first, 50–70 ms for Debian's 144 on this project's VM,
    // docs/performance.md), then its bootstrap.
    const before = `  ${'Node start (before V8)'.padEnd(34)}${fmt(this.v8Ms)}`;
    const lines = [
      'ethersim: timing (wall clock, ms):',
      this.extraCaCerts ? `${before}   with NODE_EXTRA_CA_CERTS: Node reads that file first` : before,
      `  ${'Node bootstrap'.padEnd(34)}${fmt(this.nodeMs - this.v8Ms)}`,
    ];
    let prev = this.nodeMs;
    for (const [p, label] of PHASES) {
      const t = this.ends.get(p);
      if (t === undefined) continue;
      const name =
        p === 'run' && !this.ends.has('build')
          ? 'build and run'
          : p === 'build' && this.perPartition.length > 0
            ? 'build (threads start, load, build)'
            : label;
      let line = `  ${name.padEnd(34)}${fmt(t - prev)}`;
      if (p === 'run' && events !== undefined) {
        line += `   ${grouped(events)} events, ${mps(events / ((t - prev) / 1000))}`;
        const h = this.halves(events);
        if (h) line += `; first half ${mps(h[0])}, second half ${mps(h[1])}`;
      }
      lines.push(line);
      prev = t;
    }
    lines.push(`  ${'total'.padEnd(34)}${fmt(prev)}`);
    // A partition's run is its windows (busy) and its barriers (waiting for the slowest, and the
    // hand-over); its events/s while busy, set against one thread's, shows what else slows it.
    for (const p of this.perPartition)
      lines.push(
        `  partition ${p.lp}: ${grouped(p.windows)} windows, ${grouped(p.events)} events; ` +
          `busy ${Math.round(p.busyMs)} ms (${mps(p.events / (p.busyMs / 1000))}), at barriers ${Math.round(p.waitMs)} ms`,
      );
    return `${lines.join('\n')}\n`;
  }
}

/** 1234567 → "1,234,567" (not toLocaleString: its first call loads ICU's locale data, ~15 ms). */
function grouped(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function fmt(ms: number): string {
  return Math.round(ms).toString().padStart(6);
}

function mps(perS: number): string {
  return `${(perS / 1e6).toFixed(2)} M/s`;
}
