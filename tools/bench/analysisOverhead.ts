/**
 * The congestion analysis's cost: permutation-roce (8 MB flows, 2.8 M events) with the
 * analysis on and off, alternating in one warmed-up process and timed by CPU time, so JIT
 * warm-up and this VM's wall-clock noise (±20 % between fresh processes) do not decide the
 * answer. Prints one JSON line: median CPU ms on and off and the relative overhead (median of the
 * rounds' paired on/off ratios).
 */
import { readFileSync } from 'node:fs';
import { parseScenario } from '../../sim/scenario/load.ts';
import { buildSimulation, runSimulation } from '../../sim/run/run.ts';
import { median } from './median.ts';

const file = 'scenarios/permutation-roce.yaml';
const text = readFileSync(file, 'utf8');
const rounds = Number(process.argv[2] ?? 20);
const ms: Record<'on' | 'off', number[]> = { on: [], off: [] };
for (let i = 0; i <= rounds; i++) {
  for (const on of [true, false]) {
    const s = buildSimulation(parseScenario(text, file, ['workload.sizeBytes=8000000', `metrics.congestion=${on}`]));
    const c0 = process.cpuUsage();
    runSimulation(s);
    const c = process.cpuUsage(c0);
    if (i > 0) ms[on ? 'on' : 'off'].push((c.user + c.system) / 1000); // round 0 warms up
  }
}
const on = median(ms.on);
const off = median(ms.off);
// The overhead is the median of each round's own on/off ratio: the two runs of a round are
// back to back, so they share whatever the machine's neighbours are doing at the time, which
// moves single runs by ±20 % here (the ratio of the two medians mixes different moments).
const overhead = median(ms.on.map((x, i) => x / ms.off[i])) - 1;
process.stdout.write(`${JSON.stringify({ onCpuMs: on, offCpuMs: off, overhead, rounds })}\n`);
