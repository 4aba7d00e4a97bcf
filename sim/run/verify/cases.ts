import { ScenarioSchema, type Scenario, type ScenarioInput } from '../../scenario/schema.ts';
import { buildSimulation, runScenario } from '../run.ts';
import type { Result } from '../../metrics/result.ts';

/**
 * The reference cases `ethersim verify` runs: each sets up a fabric, runs it, and compares one
 * figure with a number from a reference — a published validation threshold, a hand computation,
 * a closed form — whose source it names. The expected numbers are computed here from the
 * reference's formula or table (docs/reference/physics.md, section cited), never from an earlier
 * ethersim run; each tolerance is argued in a comment, and none was widened to make a run pass.
 * tests/published.test.ts checks several of the same numbers with more detail.
 */

export type Rule =
  /** figure ≤ reference */
  | { kind: 'max' }
  /** figure ≥ reference */
  | { kind: 'min' }
  /** figure = reference exactly */
  | { kind: 'exact' }
  /** |figure / reference − 1| ≤ tol */
  | { kind: 'within'; tol: number }
  /** figure > reference (a count that must not be zero, say) */
  | { kind: 'above' };

export interface Measure {
  /** ethersim's figure, in `unit`. */
  figure: number;
  /** Further checks a case makes besides the rule (e.g. every flow finished); false fails it. */
  guards?: Array<[string, boolean]>;
  /** One line of what else was measured. */
  detail?: string;
}

export interface VerifyCase {
  /** Stable id (used by --only and in docs/validation.md). */
  id: string;
  group: string;
  /** The set-up in one line. */
  setup: string;
  /** What is compared (e.g. "tail FCT"). */
  quantity: string;
  unit: string;
  /** The reference figure, and where it comes from. */
  reference: number;
  rule: Rule;
  source: string;
  run(): Measure;
}

export interface CaseOutcome {
  id: string;
  group: string;
  setup: string;
  quantity: string;
  unit: string;
  reference: number;
  referenceText: string;
  source: string;
  figure: number;
  /** figure / reference (null when the reference is 0). */
  ratio: number | null;
  pass: boolean;
  detail: string;
  failedGuards: string[];
  wallMs: number;
}

const sc = (input: ScenarioInput): Scenario => ScenarioSchema.parse(input);

// Wire sizes (docs/architecture.md#units): payload + transport headers + 20 B of preamble/SFD and IFG.
const MTU = 4096;
const ROCE_FRAME = MTU + 62 + 20; // 4178 B
const UET_FRAME = MTU + 64 + 20; // 4180 B
const bytesPerSec = (gbps: number) => (gbps * 1e9) / 8;
const tailUs = (r: Result) => Math.max(...r.flows.map((f) => f.fctPs)) / 1e6;
const allDone = (r: Result): [string, boolean] => [
  `all ${r.summary.flowsTotal} flows finished`,
  r.summary.flowsDone === r.summary.flowsTotal,
];

/** Payload rate (Gb/s) of every flow between endUs/2 and endUs, from the receivers' delivered bytes. */
export function secondHalfGbps(s: Scenario, endUs: number) {
  const sim = buildSimulation(s);
  const mid = (endUs / 2) * 1e6;
  const end = endUs * 1e6;
  sim.sim.run(sim.fabric, { timeLimitPs: mid, maxEvents: Infinity });
  const atMid = Array.from({ length: sim.flows.count }, (_, f) => sim.flows.deliveredBytes[f]);
  sim.sim.run(sim.fabric, { timeLimitPs: end, maxEvents: Infinity });
  const gbps = atMid.map((b, f) => ((sim.flows.deliveredBytes[f] - b) * 8) / ((end - mid) / 1e12) / 1e9);
  return { gbps, done: sim.flows.doneCount, drops: sim.fabric.counters.drops, pauses: sim.fabric.counters.pauseFrames };
}

/** The largest |x/want − 1| over a list (the worst flow), signed. */
function worst(got: number[], want: number[]): number {
  let w = 0;
  for (const [i, g] of got.entries()) {
    const e = g / want[i] - 1;
    if (Math.abs(e) > Math.abs(w)) w = e;
  }
  return w;
}

// ------------------------------------------------------------------ hand-computed line rate

const PS_PER_BYTE_400G = 20;
const NPKT_2MB = Math.ceil(2_000_000 / MTU); // 489
const LAST_WIRE = 2_000_000 - (NPKT_2MB - 1) * MTU + 62 + 20; // 1152 B of payload
const ACK_WIRE = 66 + 20;
const ALL_SERIALISED = ((NPKT_2MB - 1) * ROCE_FRAME + LAST_WIRE) * PS_PER_BYTE_400G;
// Through one switch: every packet serialised on the first link; on the second, the short last
// packet waits behind the full one ahead of it; then 2 × 1 µs propagation and the ACK back over
// two links (tests/fabric.test.ts derives it step by step).
const STAR_FCT_PS = ALL_SERIALISED + ROCE_FRAME * PS_PER_BYTE_400G + 2e6 + 2 * (ACK_WIRE * PS_PER_BYTE_400G + 1e6);

const lineRate: VerifyCase[] = [
  {
    id: 'line-rate-star',
    group: 'Hand-computed line-rate FCT',
    setup: 'one 2 MB RoCE flow, 2 hosts on one switch, 400 G, 1 µs links, cc none',
    quantity: 'FCT',
    unit: 'µs',
    reference: STAR_FCT_PS / 1e6,
    rule: { kind: 'exact' },
    source: 'hand computation: 489 frames (4,178 B at 20 ps/B), the last frame again on hop 2, 2 × 1 µs, the ACK back',
    run() {
      const r = runScenario(
        sc({
          topology: { kind: 'star', hosts: 2 },
          links: { host: { rateGbps: 400, delayNs: 1000 } },
          transport: { kind: 'roce' },
          workload: { kind: 'flows', flows: [{ src: 0, dst: 1, sizeBytes: 2_000_000 }] },
        }),
      );
      return { figure: r.flows[0].fctPs / 1e6, guards: [allDone(r)] };
    },
  },
  {
    id: 'line-rate-fattree',
    group: 'Hand-computed line-rate FCT',
    setup: 'one 2 MB RoCE flow across a k = 4 fat tree (6 hops), 400 G, 1 µs links, cc none',
    quantity: 'FCT',
    unit: 'µs',
    reference:
      (ALL_SERIALISED + 5 * LAST_WIRE * PS_PER_BYTE_400G + 6e6 + 6 * (ACK_WIRE * PS_PER_BYTE_400G + 1e6)) / 1e6,
    // 1 %: the hand figure pipelines only the last (short) frame per hop; the exact store-and-
    // forward of the full frame ahead of it adds < 5 × 83.6 ns = 0.4 µs of 51 µs.
    rule: { kind: 'within', tol: 0.01 },
    source: 'hand computation: serialisation + 5 store-and-forward hops of the last frame + 6 × 1 µs + the ACK back',
    run() {
      const r = runScenario(
        sc({
          topology: { kind: 'fatTree', k: 4 },
          links: { host: { rateGbps: 400, delayNs: 1000 } },
          transport: { kind: 'roce' },
          workload: { kind: 'flows', flows: [{ src: 0, dst: 15, sizeBytes: 2_000_000 }] },
        }),
      );
      return { figure: r.flows[0].fctPs / 1e6, guards: [allDone(r)] };
    },
  },
  {
    id: 'uet-ack-coalescing',
    group: 'Hand-computed line-rate FCT',
    setup: 'one 2 MB UET flow, 2 hosts on one switch, 100 G: ACKs sent on an idle path',
    quantity: 'ACKs',
    unit: 'ACKs',
    // One ACK for the first packet, one per 16 KiB received (every 4th 4,160-B packet), one for
    // the last: 1 + ⌈(N − 1)/4⌉ with N = 489.
    reference: 1 + Math.ceil((NPKT_2MB - 1) / 4),
    rule: { kind: 'exact' },
    source: 'UE spec ACK_GEN_TRIGGER 16 KiB and htsim UET (physics.md §4.3, §4.7): 1 + ⌈(N − 1)/4⌉',
    run() {
      const r = runScenario(
        sc({
          topology: { kind: 'star', hosts: 2 },
          links: { host: { rateGbps: 100, delayNs: 1000 } },
          switch: { pfc: { enabled: false } },
          transport: { kind: 'uet', loadBalancing: 'oblivious' },
          workload: { kind: 'flows', flows: [{ src: 0, dst: 1, sizeBytes: 2_000_000 }] },
        }),
      );
      return {
        figure: r.counters.acks,
        guards: [
          allDone(r),
          [
            'no ECN mark, trim, drop or retransmission',
            r.counters.ecnMarks + r.counters.trims + r.counters.drops + r.counters.retransmits === 0,
          ],
        ],
      };
    },
  },
];

// ------------------------------------------------------------------ PFC headroom (§1.2)

// gray = 2 × rate × delay + rate × switch latency + 2 × 4178 B: the bytes that arrive after an
// XOFF is decided (physics.md §1.2, the Cisco closed form with the pipeline as the reaction). The
// frame terms may be anywhere in [0, 2 frames] with alignment, so the true need lies in
// [0.923, 1] × gray (0 latency) or [0.947, 1] × gray (1 µs): 0.9 × gray must drop under an 8 → 1
// line-rate incast, 1.1 × gray never (tests/published.test.ts argues the bracket).
const gray = (latencyNs: number) => 2 * bytesPerSec(400) * 1e-6 + bytesPerSec(400) * latencyNs * 1e-9 + 2 * ROCE_FRAME;
const headroomIncast = (headroomBytes: number, latencyNs: number) =>
  sc({
    topology: { kind: 'star', hosts: 9 },
    links: { host: { rateGbps: 400, delayNs: 1000 } },
    switch: { bufferBytes: 12_000_000, latencyNs, pfc: { enabled: true, headroomBytes }, ecn: { enabled: false } },
    transport: { kind: 'roce', cc: 'none', mtuBytes: MTU },
    workload: { kind: 'incast', senders: 8, receiver: 0, sizeBytes: 4_000_000 },
  });

const headroom: VerifyCase[] = [0, 1000].flatMap((latencyNs): VerifyCase[] => [
  {
    id: `pfc-headroom-0.9-lat${latencyNs}`,
    group: 'PFC headroom bracketing',
    setup: `8 → 1 RoCE incast, 400 G, 1 µs links, switch latency ${latencyNs} ns, ECN off, headroom 0.9 × gray (${Math.round(0.9 * gray(latencyNs))} B)`,
    quantity: 'drops',
    unit: 'packets',
    reference: 0,
    rule: { kind: 'above' },
    source: `gray period ${gray(latencyNs)} B = 2·rate·delay + rate·latency + 2 frames (physics.md §1.2): below it, drops`,
    run() {
      const r = runScenario(headroomIncast(Math.round(0.9 * gray(latencyNs)), latencyNs));
      return { figure: r.counters.drops, detail: `${r.counters.pauseFrames} PAUSE frames` };
    },
  },
  {
    id: `pfc-headroom-1.1-lat${latencyNs}`,
    group: 'PFC headroom bracketing',
    setup: `8 → 1 RoCE incast, 400 G, 1 µs links, switch latency ${latencyNs} ns, ECN off, headroom 1.1 × gray (${Math.round(1.1 * gray(latencyNs))} B)`,
    quantity: 'drops',
    unit: 'packets',
    reference: 0,
    rule: { kind: 'exact' },
    source: `gray period ${gray(latencyNs)} B (physics.md §1.2): above it, lossless`,
    run() {
      const r = runScenario(headroomIncast(Math.round(1.1 * gray(latencyNs)), latencyNs));
      return {
        figure: r.counters.drops,
        guards: [allDone(r), ['PFC paused (the buffer did not just absorb it)', r.counters.pauseFrames > 0]],
        detail: `${r.counters.pauseFrames} PAUSE frames`,
      };
    },
  },
]);

// ------------------------------------------------------------------ shares (§1.4, §5.3, §5.4)

/** PFC parking lot (physics.md §1.4; also tests/published.test.ts): 0, 1, 2 → 5 across a dumbbell's fabric link, 3 → 5 local. */
export const parkingLotScenario = (): Scenario =>
  sc({
    topology: { kind: 'dumbbell', hostsPerSide: 3 },
    links: { host: { rateGbps: 100, delayNs: 1000 }, fabric: { rateGbps: 100, delayNs: 1000 } },
    switch: { bufferBytes: 12_000_000, pfc: { enabled: true }, ecn: { enabled: false } },
    transport: { kind: 'roce', cc: 'none', mtuBytes: MTU },
    workload: { kind: 'flows', flows: [0, 1, 2, 3].map((src) => ({ src, dst: 5, sizeBytes: 100_000_000 })) },
  });

const shares: VerifyCase[] = [
  {
    id: 'pfc-parking-lot',
    group: 'Bandwidth shares',
    setup:
      'dumbbell 3 + 3 hosts, 100 G, PFC only: 0, 1, 2 → 5 across the fabric link, 3 → 5 local; rates over 1.5–3 ms',
    quantity: 'worst flow vs reference',
    unit: 'Gb/s',
    reference: (100 * MTU) / ROCE_FRAME / 6,
    // 2 %: round-robin per ingress port is exact while both queues stay backlogged; what is left
    // is packet granularity at the window edges (~15 packets of a C/6 flow's 3 MB).
    rule: { kind: 'within', tol: 0.02 },
    source: 'PFC round-robin per ingress port: C/6, C/6, C/6 and C/2 (physics.md §1.4)',
    run() {
      const C = (100 * MTU) / ROCE_FRAME;
      const { gbps, done, drops, pauses } = secondHalfGbps(parkingLotScenario(), 3000);
      const want = [C / 6, C / 6, C / 6, C / 2];
      const w = worst(gbps, want);
      return {
        // The figure is the worst flow's rate on the scale of the first reference (C/6), so
        // figure / reference − 1 is the worst relative error over the four flows.
        figure: (C / 6) * (1 + w),
        guards: [
          ['no drop', drops === 0],
          ['PFC paused', pauses > 0],
          ['all four backlogged over the window', done === 0],
        ],
        detail: `flows ${gbps.map((g) => g.toFixed(2)).join(' / ')} Gb/s vs ${want.map((g) => g.toFixed(2)).join(' / ')}`,
      };
    },
  },
  {
    id: 'ndp-outcast-incast',
    group: 'Bandwidth shares',
    setup: 'k = 4 fat tree, 100 G, UET (NSCC, spraying, trimming): A → B, C, D, E and F → E; rates over 1.5–3 ms',
    quantity: 'worst flow vs reference',
    unit: 'Gb/s',
    reference: (100 * MTU) / UET_FRAME / 4,
    // 5 %: the published NDP run itself sits up to 4.8 % off max-min (A → E 2.38 vs 2.50 Gb/s).
    rule: { kind: 'within', tol: 0.05 },
    source:
      'NDP Fig. 21 (Handley et al., SIGCOMM 2017; csg-htsim in_and_out): max-min C/4 × 4 and 3C/4 (physics.md §5.3)',
    run() {
      const C = (100 * MTU) / UET_FRAME;
      const { gbps, done } = secondHalfGbps(
        sc({
          topology: { kind: 'fatTree', k: 4 },
          links: { host: { rateGbps: 100, delayNs: 1000 } },
          switch: { pfc: { enabled: false }, ecn: { enabled: true, pmax: 1 }, trimming: { enabled: true } },
          transport: { kind: 'uet', cc: 'nscc', loadBalancing: 'oblivious', mtuBytes: MTU },
          workload: {
            kind: 'flows',
            flows: [
              [0, 5],
              [0, 6],
              [0, 9],
              [0, 14],
              [15, 14],
            ].map(([src, dst]) => ({ src, dst, sizeBytes: 100_000_000 })),
          },
        }),
        3000,
      );
      const want = [C / 4, C / 4, C / 4, C / 4, (3 * C) / 4];
      return {
        figure: (C / 4) * (1 + worst(gbps, want)),
        guards: [
          ['all five backlogged over the window', done === 0],
          ["A's uplink full (≥ 95 % of C)", gbps[0] + gbps[1] + gbps[2] + gbps[3] > 0.95 * C],
          ["E's downlink full (≥ 95 % of C)", gbps[3] + gbps[4] > 0.95 * C],
        ],
        detail: `flows ${gbps.map((g) => g.toFixed(2)).join(' / ')} Gb/s vs ${want.map((g) => g.toFixed(2)).join(' / ')}`,
      };
    },
  },
];

// DCQCN convergence from a staggered start: two long flows into one 100 G port, the second 1 ms
// later; throughput over 10–20 ms; each preset with its simulator's ECN thresholds (physics.md
// §2.2). The late flow's share is a random variable (which flow each RED mark hits), so the
// claim is the expectation: the mean over 6 seeds is 1/2 within 3 standard errors.
const DCQCN_SEEDS = [1, 2, 3, 4, 5, 6];
const DCQCN_ECN = {
  connectx: { kminBytes: 400_000, kmaxBytes: 1_600_000, pmax: 0.2 },
  bz: { kminBytes: 40 * 1030, kmaxBytes: 1000 * 1030, pmax: 1 },
} as const;

/**
 * One staggered DCQCN run (also tests/dcqcn.test.ts): the two flows' payload rates over 10–20 ms
 * (bit/s), the late flow's share, the gap between them, drops, and flows done by 20 ms.
 */
export function dcqcnStaggered(
  preset: 'connectx' | 'bz',
  seed: number,
): { early: number; late: number; share: number; gap: number; drops: number; done: number } {
  const s = buildSimulation(
    sc({
      seed,
      topology: { kind: 'star', hosts: 3 },
      links: { host: { rateGbps: 100, delayNs: 1000 } },
      switch: { bufferBytes: 32_000_000, ecn: DCQCN_ECN[preset] },
      transport: { kind: 'roce', cc: 'dcqcn', preset },
      workload: {
        kind: 'flows',
        flows: [
          { src: 1, dst: 0, sizeBytes: 1e9 },
          { src: 2, dst: 0, sizeBytes: 1e9, startNs: 1_000_000 },
        ],
      },
    }),
  );
  s.sim.run(s.fabric, { timeLimitPs: 10_000e6, maxEvents: Infinity });
  const at10 = [s.flows.deliveredBytes[0], s.flows.deliveredBytes[1]];
  s.sim.run(s.fabric, { timeLimitPs: 20_000e6, maxEvents: Infinity });
  const [early, late] = [0, 1].map((f) => ((s.flows.deliveredBytes[f] - at10[f]) * 8) / 10e-3);
  return {
    early,
    late,
    share: late / (early + late),
    gap: Math.abs(early - late),
    drops: s.fabric.counters.drops,
    done: s.flows.doneCount,
  };
}

const dcqcn: VerifyCase[] = (['connectx', 'bz'] as const).map(
  (preset): VerifyCase => ({
    id: `dcqcn-convergence-${preset}`,
    group: 'DCQCN convergence',
    setup: `2 long RoCE flows into one 100 G port, the second 1 ms later, DCQCN ${preset} preset, ${DCQCN_SEEDS.length} seeds; late flow's share over 10–20 ms`,
    quantity: "late flow's mean share",
    unit: '',
    reference: 0.5,
    // Tolerance 3 standard errors of the mean, from the seeds' own spread (checked in guards);
    // 3 % is the outer bound reported in the table (measured SE 0.004–0.006).
    rule: { kind: 'within', tol: 0.03 },
    source: 'fair share C/N on one bottleneck (physics.md §5.4 (i)); HPCC / BZ ECN thresholds (§2.2)',
    run() {
      const C = (100e9 * MTU) / ROCE_FRAME;
      const runs = DCQCN_SEEDS.map((seed) => dcqcnStaggered(preset, seed));
      const shares = runs.map((r) => r.share);
      const mean = shares.reduce((x, y) => x + y, 0) / shares.length;
      const sd = Math.sqrt(shares.reduce((x, y) => x + (y - mean) ** 2, 0) / (shares.length - 1));
      const se = sd / Math.sqrt(shares.length);
      return {
        figure: mean,
        guards: [
          ['mean within 3 standard errors of 1/2', Math.abs(mean - 0.5) <= 3 * se],
          ['every run converged (gap < C/10)', runs.every((r) => r.gap < C / 10)],
          ['no drop', runs.every((r) => r.drops === 0)],
        ],
        detail: `SE ${se.toFixed(4)}; per seed ${shares.map((x) => x.toFixed(3)).join(', ')}`,
      };
    },
  }),
);

// ------------------------------------------------------------------ UEC htsim thresholds (§5.2)

const UEC_SOURCE = 'UEC htsim validation suite, datacenter/validate_uec_sender.txt (physics.md §5.2)';
const uec16 = (workload: ScenarioInput['workload'], transport: { evCount?: number; loadBalancing?: 'ecmp' } = {}) =>
  sc({
    topology: { kind: 'fatTree', k: 4 },
    links: { host: { rateGbps: 100, delayNs: 1000 } },
    switch: { pfc: { enabled: false }, ecn: { enabled: true, pmax: 1 }, trimming: { enabled: true } },
    transport: { kind: 'uet', cc: 'nscc', loadBalancing: 'oblivious', mtuBytes: MTU, ...transport },
    workload,
  });
const SERIAL_2MB_US = ((2_000_000 * 8) / 100e9) * 1e6; // 160 µs of payload at 100 G
const lowerBound = (t: number, min: number): [string, boolean] => [
  `at least the payload serialisation (${min} µs)`,
  t >= min,
];

function uecCase(
  id: string,
  setup: string,
  threshold: number,
  minUs: number,
  make: () => Scenario,
  flows: number,
): VerifyCase {
  return {
    id,
    group: 'UEC htsim validation thresholds',
    setup,
    quantity: 'tail FCT',
    unit: 'µs',
    reference: threshold,
    // The published pass/fail threshold is itself the tolerance: nothing is added to it.
    rule: { kind: 'max' },
    source: UEC_SOURCE,
    run() {
      const r = runScenario(make());
      const t = tailUs(r);
      return {
        figure: t,
        guards: [allDone(r), [`${flows} flows`, r.summary.flowsTotal === flows], lowerBound(t, minUs)],
      };
    },
  };
}

const UEC_SETUP = 'k = 4 fat tree (16 hosts), 100 G, 1 µs links, UET NSCC, oblivious spraying, trimming, 2 MB flows';
const uec: VerifyCase[] = [
  uecCase(
    'uec-single',
    `single connection 0 → 15; ${UEC_SETUP}`,
    190,
    SERIAL_2MB_US,
    () => uec16({ kind: 'flows', flows: [{ src: 0, dst: 15, sizeBytes: 2_000_000 }] }),
    1,
  ),
  uecCase(
    'uec-incast-15',
    `15 → 1 incast; ${UEC_SETUP}`,
    2550,
    15 * SERIAL_2MB_US,
    () => uec16({ kind: 'incast', senders: 15, receiver: 0, sizeBytes: 2_000_000 }),
    15,
  ),
  uecCase(
    'uec-incast-3-long',
    `3 → 1: 2 MB at 0 and 2 × 250 KB at 40 µs; ${UEC_SETUP}`,
    220,
    ((2_500_000 * 8) / 100e9) * 1e6,
    () =>
      uec16({
        kind: 'flows',
        flows: [
          { src: 1, dst: 0, sizeBytes: 2_000_000 },
          { src: 5, dst: 0, sizeBytes: 250_000, startNs: 40_000 },
          { src: 9, dst: 0, sizeBytes: 250_000, startNs: 40_000 },
        ],
      }),
    3,
  ),
  uecCase(
    'uec-permutation-sprayed',
    `16-host permutation over 128 entropies; ${UEC_SETUP}`,
    210,
    SERIAL_2MB_US,
    () => uec16({ kind: 'permutation', sizeBytes: 2_000_000 }, { evCount: 128 }),
    16,
  ),
  uecCase(
    'uec-permutation-ecmp',
    `16-host permutation on one ECMP path each; ${UEC_SETUP.replace('oblivious spraying', 'ECMP')}`,
    1300,
    SERIAL_2MB_US,
    () => uec16({ kind: 'permutation', sizeBytes: 2_000_000 }, { loadBalancing: 'ecmp' }),
    16,
  ),
  uecCase(
    'uec-incast-127',
    '127 → 1 incast; k = 8 fat tree (128 hosts), 100 G, 1 µs links, UET NSCC, oblivious spraying, trimming, 2 MB flows',
    23_000,
    127 * SERIAL_2MB_US,
    () =>
      sc({
        topology: { kind: 'fatTree', k: 8 },
        links: { host: { rateGbps: 100, delayNs: 1000 } },
        switch: { pfc: { enabled: false }, ecn: { enabled: true, pmax: 1 }, trimming: { enabled: true } },
        transport: { kind: 'uet', cc: 'nscc', loadBalancing: 'oblivious', mtuBytes: MTU },
        workload: { kind: 'incast', senders: 127, receiver: 0, sizeBytes: 2_000_000 },
      }),
    127,
  ),
  ...(['oblivious', 'ecmp'] as const).map((lb) =>
    uecCase(
      `uec-permutation-1024-${lb === 'ecmp' ? 'ecmp' : 'sprayed'}`,
      `1024-host permutation${lb === 'ecmp' ? ' on one ECMP path each' : ', oblivious spraying over 256 entropies'}; k = 16 fat tree, 100 G, 1 µs links, UET NSCC, trimming, 2 MB flows`,
      lb === 'ecmp' ? 1300 : 220,
      SERIAL_2MB_US,
      () =>
        sc({
          topology: { kind: 'fatTree', k: 16 },
          links: { host: { rateGbps: 100, delayNs: 1000 } },
          switch: { pfc: { enabled: false }, ecn: { enabled: true, pmax: 1 }, trimming: { enabled: true } },
          transport: { kind: 'uet', cc: 'nscc', loadBalancing: lb, mtuBytes: MTU },
          workload: { kind: 'permutation', sizeBytes: 2_000_000 },
        }),
      1024,
    ),
  ),
  {
    // Issue 25: a 24 → 1 incast on k = 8; senders 4–15 sit in the receiver's pod on other edge
    // switches. Their median FCT depends on NSCC lowering base RTT from trim NACKs (nscc.ts
    // sampleNackRtt); uet-htsim @40ccb05 with its defaults, seed 1: 3419 µs (seeds 1–5: 3203–3473).
    id: 'uec-incast-24-by-position',
    group: 'UEC htsim validation thresholds',
    setup:
      '24 → 1 incast (hosts 1–24 → 0), 2 MB; k = 8 fat tree, 100 G, 1 µs links, htsim defaults mapped: 4150-B frames without preamble, trimming at 178,450 B, ECN 37,350–145,250 B pmax 1, mixed spraying over 64 entropies',
    quantity: 'median FCT of the same-pod, other-edge senders',
    unit: 'µs',
    reference: 3419,
    // 10 %: seed-to-seed spread of the reference itself (3203–3473 µs over seeds 1–5).
    rule: { kind: 'within', tol: 0.1 },
    source: 'uet-htsim @40ccb05 htsim_uec -tm (24 → 1, 2 MB), seed 1 (physics.md §4.7 "NACK RTT")',
    run() {
      const r = runScenario(
        sc({
          topology: { kind: 'fatTree', k: 8 },
          links: { host: { rateGbps: 100, delayNs: 1000 } },
          wire: { preambleIfg: false, headersInMtu: true },
          switch: {
            pfc: { enabled: false },
            ecn: { enabled: true, pmax: 1, kminBytes: 37_350, kmaxBytes: 145_250 },
            trimming: { enabled: true, thresholdBytes: 178_450 },
          },
          transport: { kind: 'uet', cc: 'nscc', loadBalancing: 'mixed', mtuBytes: 4150, evCount: 64 },
          workload: {
            kind: 'flows',
            flows: Array.from({ length: 24 }, (_, i) => ({ src: i + 1, dst: 0, sizeBytes: 2_000_000 })),
          },
        }),
      );
      const pod = r.flows
        .slice(3, 15)
        .map((f) => f.fctPs / 1e6)
        .sort((a, b) => a - b);
      const med = (pod[5] + pod[6]) / 2;
      return { figure: med, guards: [allDone(r), ['24 flows', r.summary.flowsTotal === 24]] };
    },
  },
];

/** Every case, in report order. */
export const VERIFY_CASES: readonly VerifyCase[] = [...lineRate, ...headroom, ...shares, ...dcqcn, ...uec];

/** The reference as the report prints it: "≤ 2550", "= 44.889", "> 0", "0.5 ± 3 %". */
export function referenceText(c: Pick<VerifyCase, 'reference' | 'rule'>): string {
  const v = fmtNumber(c.reference);
  switch (c.rule.kind) {
    case 'max':
      return `≤ ${v}`;
    case 'min':
      return `≥ ${v}`;
    case 'exact':
      return `= ${v}`;
    case 'above':
      return `> ${v}`;
    case 'within':
      return `${v} ± ${+(c.rule.tol * 100).toFixed(2)} %`;
  }
}

/** A figure with enough digits to compare (integers whole, others to 4 significant digits or 3 decimals). */
export function fmtNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  return Math.abs(x) >= 100 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(3) : x.toPrecision(4);
}

function passes(rule: Rule, figure: number, reference: number): boolean {
  switch (rule.kind) {
    case 'max':
      return figure <= reference;
    case 'min':
      return figure >= reference;
    case 'exact':
      return figure === reference;
    case 'above':
      return figure > reference;
    case 'within':
      return Math.abs(figure / reference - 1) <= rule.tol;
  }
}

/** Run one case. Never throws: an exception is a failed case with its message as the detail. */
export function runCase(c: VerifyCase, now: () => number = () => 0): CaseOutcome {
  const t0 = now();
  let m: Measure;
  try {
    m = c.run();
  } catch (e) {
    m = { figure: Number.NaN, detail: `error: ${(e as Error)?.message ?? String(e)}` };
  }
  const failedGuards = (m.guards ?? []).filter(([, ok]) => !ok).map(([what]) => what);
  return {
    id: c.id,
    group: c.group,
    setup: c.setup,
    quantity: c.quantity,
    unit: c.unit,
    reference: c.reference,
    referenceText: referenceText(c),
    source: c.source,
    figure: m.figure,
    ratio: c.reference !== 0 && Number.isFinite(m.figure) ? m.figure / c.reference : null,
    pass: Number.isFinite(m.figure) && passes(c.rule, m.figure, c.reference) && failedGuards.length === 0,
    detail: m.detail ?? '',
    failedGuards,
    wallMs: now() - t0,
  };
}
