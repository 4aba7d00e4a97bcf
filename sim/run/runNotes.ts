import { scenarioNotes } from '../scenario/notes.ts';
import type { Counters } from '../metrics/counters.ts';
import type { Simulation } from './simulation.ts';

/**
 * The notes a run carries in `result.notes`: the scenario's own (settings that are valid but
 * most likely not meant, sim/scenario/notes.ts) and what only the built fabric or the run can
 * tell — whatever the input, a lossless class that dropped packets is never left for the user
 * to notice in a counter.
 */
export function runNotes(s: Simulation, counters: Counters): string[] {
  const out = scenarioNotes(s.scenario);
  const t = s.scenario.transport;
  // A RoCE RTO shorter than the base RTT (which includes a full frame's serialisation on every
  // hop) fires before any ACK can come back: every packet times out (798 timeouts with nothing
  // delivered on 1 Mb/s links at the default 5 ms).
  if (t.kind === 'roce' && t.rtoUs * 1e6 < s.baseRttPs) {
    out.push(
      `transport.rtoUs: ${t.rtoUs} µs is shorter than the base RTT of ${(s.baseRttPs / 1e6).toPrecision(4)} µs, so the sender times out before an ACK can return`,
    );
  }
  if (counters.losslessDrops > 0) {
    out.push(
      `the lossless class dropped ${counters.losslessDrops} packets: PFC headroom too small for the links' rate × delay (physics.md §1.2), or PFC defeated by the settings`,
    );
  }
  return out;
}
