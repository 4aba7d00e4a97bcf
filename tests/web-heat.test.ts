/**
 * The port heatmaps built straight from the replay tape (web/src/portHeat.ts): the same bands as
 * binning the whole ports × samples grid (heatmap.ts), with each sample's column computed once
 * and recomputed when the tape merged the sample into a longer interval.
 */
import { describe, expect, it } from 'vitest';
import { bandMax, bands } from '../web/src/heatmap.ts';
import { portHeat, portValue, worstOrder, type PortMetric } from '../web/src/portHeat.ts';
import { addTape, type TapeSample } from '../web/src/tape.ts';
import { KIND_TAPE, type Snapshot } from '../web/src/snapshot.ts';

const N = 50;
function sample(t: number, dt: number): Snapshot {
  // Deterministic values that differ by port and time; port 17 is hot at t = 3 dt.
  const f = (p: number) => ((p * 7 + t * 13) % 11) / 10;
  return {
    portCount: N,
    simTimePs: t * dt,
    events: 0,
    flowsDone: 0,
    flowsTotal: 1,
    intervalPs: dt,
    kind: KIND_TAPE,
    tapeDtPs: dt,
    queueBytes: Float32Array.from({ length: N }, (_, p) => (p === 17 && t === 3 ? 1e6 : f(p) * 1000)),
    util: Float32Array.from({ length: N }, (_, p) => f(p) * 1.2),
    cause: new Int32Array(N).fill(-1),
    root: new Int32Array(N).fill(-1),
    paused: Uint8Array.from({ length: N }, (_, p) => (p % 9 === t % 9 ? 1 : 0)),
  };
}

function reference(tape: TapeSample[], metric: PortMetric, order: Int32Array, pixels: number): Float32Array {
  const values = Array.from(order, (p) => Float32Array.from(tape, (s) => portValue(s, metric, p)));
  return bandMax({ tUs: tape.map((s) => s.simTimePs), rows: values.map(() => ''), values }, bands(N, pixels));
}

describe('port heatmaps from the tape', () => {
  const names = Array.from({ length: N }, (_, p) => `p${p}`);
  const order = Int32Array.from({ length: N }, (_, p) => N - 1 - p);

  it('gives the bands of the whole grid, for every metric, fewer or more rows than pixels', () => {
    const tape: TapeSample[] = [];
    for (let t = 1; t <= 12; t++) addTape(tape, sample(t, 100));
    for (const metric of ['queue', 'util', 'pause'] as const)
      for (const pixels of [7, 50, 200]) {
        const { grid, max } = portHeat(tape, metric, order, names, pixels);
        expect(Array.from(grid.bandValues)).toEqual(Array.from(reference(tape, metric, order, pixels)));
        expect(max).toBe(Math.max(...grid.bandValues));
      }
    // Utilisation is clamped at 100 % as drawn; the hot queue shows, and the hover reads cells.
    expect(portHeat(tape, 'util', order, names, 7).max).toBe(1);
    const q = portHeat(tape, 'queue', order, names, 7);
    expect(q.max).toBe(1e6);
    expect(q.grid.valueAt(N - 1 - 17, 2)).toBe(1e6);
    expect(q.grid.rows[0]).toBe(`p${N - 1}`);
  });

  it('recomputes a sample merged by the tape (its utilisation is then the mean over both windows)', () => {
    const tape: TapeSample[] = [];
    for (let t = 1; t <= 4; t++) addTape(tape, sample(t, 100));
    portHeat(tape, 'util', order, names, N); // columns computed and kept
    const utilBefore = tape[1].util.slice();
    // The interval doubles: samples 1 and 3 are merged into 2 and 4.
    addTape(tape, sample(3, 200));
    expect(tape.map((x) => x.simTimePs)).toEqual([200, 400, 600]);
    expect(Array.from(tape[1].util)).not.toEqual(Array.from(utilBefore)); // changed in place
    const after = portHeat(tape, 'util', order, names, N).grid.bandValues;
    expect(Array.from(after)).toEqual(Array.from(reference(tape, 'util', order, N)));
  });

  it('orders worst first by each port’s largest value over the tape', () => {
    const tape: TapeSample[] = [];
    for (let t = 1; t <= 5; t++) addTape(tape, sample(t, 100));
    const o = worstOrder(tape, 'queue', N);
    expect(o[0]).toBe(17);
    expect(worstOrder(tape, 'queue', N)).toBe(o); // the same tape: sorted once
    expect(worstOrder(tape, 'util', N)).not.toBe(o);
  });
});
