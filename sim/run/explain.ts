import type { Scenario } from '../scenario/schema.ts';
import { buildStatics, type RunOptions } from './run.ts';
import { resolveDcqcn } from '../transport/roce/dcqcnPresets.ts';
import { resolveHpcc } from '../transport/roce/hpcc.ts';
import { resolveTimely } from '../transport/roce/timely.ts';
import { resolveDctcp } from '../transport/roce/dctcp.ts';
import { deriveNsccParams } from '../transport/uet/nscc.ts';
import { resolveSwift } from '../transport/uet/swift.ts';

/** One scenario's congestion control as it will run: its name and every parameter, defaults filled in. */
export interface CcExplanation {
  cc: string;
  params: Record<string, number | string | boolean>;
}

const round = (x: number) => Number(x.toPrecision(6));

/**
 * The effective congestion-control parameters of a scenario (`ethersim validate --explain`):
 * what the transport resolves from its block, its presets and the topology (the NIC rate, the
 * base RTT of the longest path), plus the ECN thresholds of the NIC-rate switch ports. Sources of
 * every default: docs/reference/cc-family.md, physics.md.
 */
export function explainCc(
  scenario: Scenario,
  options: Pick<RunOptions, 'readText' | 'maxMemoryBytes'> = {},
): CcExplanation {
  const { timing, rtt, cfg, framing } = buildStatics(scenario, options);
  const nicPort = timing.routes.hostNicPort[0];
  const nicBps = timing.rateBps[nicPort];
  const t = scenario.transport;
  let params: Record<string, number | string | boolean> = {};
  if (t.kind === 'roce') {
    if (t.cc === 'dcqcn') params = { preset: t.preset, ...resolveDcqcn(t, nicBps / 1e9) };
    else if (t.cc === 'hpcc') params = { ...resolveHpcc(t, nicBps / 1e9, rtt) };
    else if (t.cc === 'timely') params = { ...resolveTimely(t, nicBps / 1e9) };
    else if (t.cc === 'dctcp') params = { ...resolveDctcp(t, rtt) };
    params.ackEveryPackets = t.ackEveryPackets;
  } else {
    const lossless = (cfg.losslessMask & (1 << t.priority)) !== 0;
    const frame = framing.mtuBytes + framing.headerBytes;
    if (t.cc === 'nscc')
      params = { ...deriveNsccParams(rtt, nicBps, t.mtuBytes, frame, cfg.trimEnabled && !lossless, t.nscc) };
    else if (t.cc === 'swift') params = { ...resolveSwift(t) };
    params.rccc = t.rccc;
  }
  // The switch port facing host 0: the last hop's marking thresholds.
  const edge = nicPort ^ 1;
  if (cfg.ecnEnabled) {
    params.ecnKminBytes = cfg.kminBytes[edge];
    params.ecnKmaxBytes = cfg.kmaxBytes[edge];
    params.ecnPmax = cfg.pmax;
  }
  for (const [k, v] of Object.entries(params)) if (typeof v === 'number') params[k] = round(v);
  return { cc: t.cc, params };
}
