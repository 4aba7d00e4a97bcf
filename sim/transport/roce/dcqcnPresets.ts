import type { RoceTransport } from '../../scenario/schema.ts';

/** DCQCN parameters resolved to numbers (µs, Mb/s, bytes). */
export interface DcqcnParams {
  /** At most one rate decrease per this period (ConnectX RATE_REDUCE_MONITOR_PERIOD); 0 = cut on every CNP. */
  rateDecreaseIntervalUs: number;
  /** α update period K. */
  alphaUpdateIntervalUs: number;
  /** Rate-increase timer T. */
  rateIncreaseTimerUs: number;
  /** Byte counter B; 0 = timer-only increase (HPCC's Mellanox model). */
  byteCounterBytes: number;
  /** Fast-recovery steps F. */
  fastRecoverySteps: number;
  g: number;
  rateAiMbps: number;
  rateHaiMbps: number;
  minRateMbps: number;
  /** NP: at most one CNP per QP per this interval. */
  cnpIntervalUs: number;
  /** Fraction of the current rate kept on a flow's first CNP (1 = unchanged, HPCC RateOnFirstCnp). */
  rateOnFirstCnp: number;
  /** α on the first CNP. */
  initialAlpha: number;
  /** RT ← RC on every cut (else only if an increase event happened since the last cut, HPCC). */
  clampTargetRate: boolean;
}

/**
 * Named presets (physics.md §2.2). Rates that HPCC scales with link speed (`5·bw/25 Mb/s`)
 * are scaled by the NIC's rate here too.
 */
export function dcqcnPreset(name: RoceTransport['preset'], nicGbps: number): DcqcnParams {
  const scale = nicGbps / 25;
  switch (name) {
    case 'connectx':
      // §2.2(c)/(d): HPCC `run.py --cc dcqcn` = ConnectX firmware defaults: α period 1 µs
      // (DCE_TCP_RTT), decrease period 4 µs (RATE_REDUCE_MONITOR_PERIOD), timer 300 µs
      // (RPG_TIME_RESET), F = 1 (RPG_THRESHOLD), g = 1/256, AI 5·bw/25 Mb/s, HAI 50·bw/25 Mb/s,
      // min rate 1000 Mb/s, rate unchanged on the first CNP with α = 1, no clamp.
      // HPCC's model has no byte counter (timer-only) and no NP pacing: the receiver flags a CNP
      // in the ACK of every marked packet (§2.2(c)), so no NP interval here either. (The firmware's
      // MIN_TIME_BETWEEN_CNPS is dumped as 2 without a unit, §2.2(d), and cannot be followed.) Pacing
      // is not harmless even below the 4 µs decrease period: α rises only in 1 µs windows that saw
      // a CNP, so one CNP per 4 µs holds α near g(1−g)³/(1−(1−g)⁴) ≈ 0.25 under steady marking
      // instead of 1, and each cut is 12.5 % instead of 50 %. On a 32 → 1 incast at 400 G
      // (tests/dcqcn.test.ts) a 4 µs NP interval had α 0.77 at 100 µs against 0.996 without one,
      // and 2,548 PAUSE frames against 1,680.
      return {
        rateDecreaseIntervalUs: 4,
        alphaUpdateIntervalUs: 1,
        rateIncreaseTimerUs: 300,
        byteCounterBytes: 0,
        fastRecoverySteps: 1,
        g: 1 / 256,
        rateAiMbps: 5 * scale,
        rateHaiMbps: 50 * scale,
        minRateMbps: 1000,
        cnpIntervalUs: 0,
        rateOnFirstCnp: 1,
        initialAlpha: 1,
        clampTargetRate: false,
      };
    case 'paper':
      // §2.2(a): DCQCN paper values as implemented by htsim/BZ: N = 50 µs, K = 55 µs,
      // T = 55 µs, B = 10 MB, F = 5, g = 1/256, R_AI = 40 Mb/s, R_HAI = 200 Mb/s (BZ config);
      // cut on every CNP; min rate 100 Mb/s (BZ MinRate).
      return {
        rateDecreaseIntervalUs: 0,
        alphaUpdateIntervalUs: 55,
        rateIncreaseTimerUs: 55,
        byteCounterBytes: 10_000_000,
        fastRecoverySteps: 5,
        g: 1 / 256,
        rateAiMbps: 40,
        rateHaiMbps: 200,
        minRateMbps: 100,
        cnpIntervalUs: 50,
        rateOnFirstCnp: 1,
        initialAlpha: 1,
        clampTargetRate: true,
      };
    case 'bz':
      // §2.2(b): bobzhuyb/ns3-rdma shipped mix/config.txt: CNP 50 µs, α 55 µs, RP timer 60 µs,
      // byte counter 300 MB (effectively timer-only), g = 1/256, F = 5, AI 40 Mb/s,
      // HAI 200 Mb/s, CLAMP_TARGET_RATE 1, MinRate 100 Mb/s.
      return {
        rateDecreaseIntervalUs: 0,
        alphaUpdateIntervalUs: 55,
        rateIncreaseTimerUs: 60,
        byteCounterBytes: 300_000_000,
        fastRecoverySteps: 5,
        g: 1 / 256,
        rateAiMbps: 40,
        rateHaiMbps: 200,
        minRateMbps: 100,
        cnpIntervalUs: 50,
        rateOnFirstCnp: 1,
        initialAlpha: 1,
        clampTargetRate: true,
      };
  }
}

export function resolveDcqcn(cfg: RoceTransport, nicGbps: number): DcqcnParams {
  const p = dcqcnPreset(cfg.preset, nicGbps);
  for (const [k, v] of Object.entries(cfg.dcqcn)) {
    if (v !== undefined) (p as unknown as Record<string, unknown>)[k] = v;
  }
  return p;
}
