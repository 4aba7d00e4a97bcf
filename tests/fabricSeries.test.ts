/**
 * series.ndjson (sim/metrics/fabricSeries.ts): the fabric over time beside a CLI run's
 * result.json. Recording must leave the run byte-identical, keep the file bounded, and its
 * numbers must add up to the run's own: bytes sent per port, bytes delivered per flow.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseScenario } from '../sim/scenario/load.ts';
import {
  buildPartitions,
  buildSimulation,
  collectPartitioned,
  collectResult,
  runScenario,
  runSimulation,
  seriesLines,
  stallPsOf,
  stopLimits,
} from '../sim/run/run.ts';
import { runScenarioWithHistogramAsync } from '../sim/run/runAsync.ts';
import { runPartitionsInOneThread } from '../sim/run/parallel/sequential.ts';
import { runPartitionedThreaded } from '../sim/run/parallel/threads.ts';
import { FabricSeries, FABRIC_SERIES_MAX_ROWS } from '../sim/metrics/fabricSeries.ts';
import { buildTopology } from '../sim/topology/index.ts';
import { openResults } from '../web/src/openResults.ts';
import { fileSeries, flowThroughput, parseSeriesFile, tapeFromSeries } from '../web/src/seriesFile.ts';
import { portNames } from '../web/src/layout.ts';

const scenario = (file: string) => parseScenario(readFileSync(file, 'utf8'), file);
const parse = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
const noWall = (r: { meta: { wallMs: number } }) => JSON.stringify({ ...r, meta: { ...r.meta, wallMs: 0 } });

describe('the time-series file', () => {
  it('recording leaves the result byte-identical (sync and async runs)', async () => {
    for (const file of ['scenarios/dumbbell.yaml', 'scenarios/incast-roce.yaml']) {
      const plain = runScenario(scenario(file));
      let text = '';
      const recorded = runScenario(scenario(file), { onSeries: (t) => (text = t.join('')) });
      expect(noWall(recorded)).toBe(noWall(plain));
      expect(text.length).toBeGreaterThan(0);
      const d = await runScenarioWithHistogramAsync(scenario(file), { series: true, sliceEvents: 5000 });
      expect(noWall(d.result)).toBe(noWall(plain));
      expect(d.series).toBe(text);
    }
  });

  it('adds up to the run: bytes sent per port, bytes delivered per flow; the bottleneck runs at line rate', () => {
    // Two 2 MB flows share the dumbbell's 100 G middle link (scenarios/dumbbell.yaml).
    const s = buildSimulation(scenario('scenarios/dumbbell.yaml'));
    const series = new FabricSeries(s.fabric, s.flows);
    const reason = runSimulation(s, {}, series);
    const result = collectResult(s, reason);
    const [meta, ...rows] = parse(seriesLines(series, result).join(''));
    expect(meta).toMatchObject({ kind: 'meta', format: 'ethersim-series', version: 1, flows: 2 });
    expect(meta.ports).toHaveLength(s.fabric.portCount);
    expect(rows.length).toBeGreaterThan(100);
    expect(rows.length).toBeLessThanOrEqual(series.maxRows + 1);
    // Times ascend; the intervals tile the run from 0.
    let t = 0;
    for (const r of rows) {
      expect(r.kind).toBe('sample');
      expect(r.tPs - r.dtPs).toBe(t);
      t = r.tPs;
    }
    // Bytes sent: Σ util × rate × dt / 8 over the rows is each port's count, within the
    // rounding of util to 1e-3 of each row's capacity.
    for (let p = 0; p < s.fabric.portCount; p++) {
      let sent = 0;
      let slack = 0;
      for (const r of rows) {
        sent += (r.util[p] * meta.portRateBps[p] * r.dtPs) / 8e12;
        slack += (0.5e-3 * meta.portRateBps[p] * r.dtPs) / 8e12;
      }
      expect(Math.abs(sent - s.fabric.txBytesOf(p))).toBeLessThanOrEqual(slack + 1e-6);
    }
    // The last row holds what each flow delivered, as the result says.
    expect(rows.at(-1).deliveredBytes).toEqual(result.flows.map((f) => f.deliveredBytes));
    // The middle link is saturated while both flows run: over that span it sends at line rate
    // (4 MB of frames in ~330 µs); each row holds its interval's capacity ± one frame, since a
    // frame counts when its transmission starts (a 4,096 B payload: 4,178 B on the wire).
    let busiest = 0;
    for (let p = 0; p < s.fabric.portCount; p++) if (s.fabric.txBytesOf(p) > s.fabric.txBytesOf(busiest)) busiest = p;
    const during = rows.filter((r) => r.tPs > 20e6 && r.tPs < 300e6);
    expect(during.length).toBeGreaterThan(10);
    const cap = (r: { dtPs: number }) => (meta.portRateBps[busiest] * r.dtPs) / 8e12;
    let sent = 0;
    let capacity = 0;
    for (const r of during) {
      const bytes = r.util[busiest] * cap(r);
      expect(Math.abs(bytes - cap(r))).toBeLessThan(4200);
      sent += bytes;
      capacity += cap(r);
    }
    expect(Math.abs(sent / capacity - 1)).toBeLessThan(4200 / capacity + 1e-4);
  });

  it('a partitioned run records the whole fabric: each port from its partition, the same on threads, the result unchanged', {
    tags: ['slow'],
    timeout: 60_000,
  }, async () => {
    // UET spraying and RoCE with PFC pauses across the cut (both partitions' ports are busy).
    for (const file of ['scenarios/incast-uet.yaml', 'scenarios/incast-roce.yaml']) {
      const sc = parseScenario(readFileSync(file, 'utf8'), file, ['engine.partitions=2']);
      const plain = runScenario(sc);
      let text = '';
      const recorded = runScenario(sc, { onSeries: (t) => (text = t.join('')) });
      expect(noWall(recorded)).toBe(noWall(plain));
      // The same file from partition threads, and from the worker's asynchronous turns.
      let threadedText = '';
      const threaded = await runPartitionedThreaded(sc, { onSeries: (t) => (threadedText = t.join('')) });
      expect(noWall(threaded.result)).toBe(noWall(plain));
      expect(threadedText).toBe(text);
      expect((await runScenarioWithHistogramAsync(sc, { series: true, sliceEvents: 5000 })).series).toBe(text);

      // Each partition's own counters, read after a run of the same partitions here.
      const parts = buildPartitions(sc, {}, true);
      const reason = runPartitionsInOneThread(parts, stopLimits(parts[0]), stallPsOf(parts[0]));
      const portCount = parts[0].fabric.portCount;
      const owner = (p: number) => parts.find((x) => x.fabric.isLocalNode(x.fabric.portNode[p]))!;
      const txOf = Array.from({ length: portCount }, (_, p) => owner(p).fabric.txBytesOf(p));
      let fromParts = '';
      const result = collectPartitioned(parts, reason, (t) => (fromParts = t.join('')));
      expect(fromParts).toBe(text);
      const [meta, ...rows] = parse(text);
      expect(meta.ports).toHaveLength(portCount);
      expect(rows.length).toBeGreaterThan(100);
      let t = 0;
      for (const r of rows) {
        expect(r.tPs - r.dtPs).toBe(t);
        t = r.tPs;
      }
      // Every flow done: the last row is after the last finish (at most a window later, where
      // the partitions learn of it), and holds what each flow delivered.
      expect(result.summary.flowsDone).toBe(result.summary.flowsTotal);
      const lastFinishPs = Math.max(...result.flows.map((f) => f.startPs + f.fctPs));
      expect(rows.at(-1).tPs).toBeGreaterThanOrEqual(lastFinishPs);
      expect(rows.at(-1).tPs).toBeLessThan(lastFinishPs + parts[0].plan!.windowPs);
      expect(rows.at(-1).deliveredBytes).toEqual(result.flows.map((f) => f.deliveredBytes));
      // Bytes sent per port add up to its partition's count, within util's rounding to 1e-3.
      let busy = 0;
      for (let p = 0; p < portCount; p++) {
        let bytes = 0;
        let slack = 0;
        for (const r of rows) {
          bytes += (r.util[p] * meta.portRateBps[p] * r.dtPs) / 8e12;
          slack += (0.5e-3 * meta.portRateBps[p] * r.dtPs) / 8e12;
        }
        expect(Math.abs(bytes - txOf[p])).toBeLessThanOrEqual(slack + 1e-6);
        if (txOf[p] > 0) busy++;
      }
      expect(busy).toBeGreaterThan(portCount / 4);
    }
  });

  it('stays bounded: the interval doubles, rows stay within the cap', () => {
    const s = buildSimulation(scenario('scenarios/incast-roce.yaml'));
    const series = new FabricSeries(s.fabric, s.flows);
    runSimulation(s, {}, series);
    expect(series.maxRows).toBe(FABRIC_SERIES_MAX_ROWS);
    expect(series.length).toBeGreaterThanOrEqual(FABRIC_SERIES_MAX_ROWS / 2);
    expect(series.length).toBeLessThanOrEqual(FABRIC_SERIES_MAX_ROWS + 1);
  });

  it('lowers the cap for a large fabric so the file stays about FABRIC_SERIES_MAX_VALUES numbers', () => {
    const s = buildSimulation(scenario('scenarios/bench/permutation-1024-uet.yaml'));
    const series = new FabricSeries(s.fabric, s.flows);
    // 6,144 ports × 3 + 1,024 flows = 19,456 numbers a row: the full cap fits.
    expect(series.maxRows).toBe(FABRIC_SERIES_MAX_ROWS);
  });

  it('opens in the page: the tape and the flow throughput come from the file', async () => {
    const sc = scenario('scenarios/incast-roce.yaml');
    let text = '';
    const result = runScenario(sc, { onSeries: (t) => (text = t.join('')) });
    const file = (path: string, body: string) => ({ path, text: async () => body });
    const loaded = await openResults([
      file('out/result.json', JSON.stringify(result)),
      file('out/scenario.json', JSON.stringify(sc)),
      file('out/series.ndjson', text),
    ]);
    if (loaded.kind !== 'runs') throw new Error('expected runs');
    const series = loaded.runs[0].series!;
    const rows = parse(text).slice(1);
    expect(series.rows).toHaveLength(rows.length);
    const g = buildTopology(sc.topology, sc.links);
    const tape = tapeFromSeries(series, portNames(g), result);
    expect(tape).toHaveLength(rows.length);
    // The tape holds the file's numbers, port for port (the file's ports are the page's).
    const mid = rows.length >> 1;
    expect(Array.from(tape[mid].util)).toEqual(rows[mid].util.map((u: number) => Math.fround(u)));
    expect(Array.from(tape[mid].queueBytes)).toEqual(rows[mid].queueBytes);
    // The incast pauses (PFC): the tape says so where the file does, with the result's roots.
    const pausedRows = tape.filter((t) => t.pausedN > 0);
    expect(pausedRows.length).toBeGreaterThan(0);
    expect(pausedRows.some((t) => t.root.some((r) => r >= 0))).toBe(true);
    // The time-series panel's series: switch ports' queues, deepest first, and the slowest flows.
    const isSwitch = (p: number) => g.nodeTier[g.links[p >> 1][p & 1 ? 'b' : 'a']] > 0;
    const fs = fileSeries(series, isSwitch, result, 3);
    const queues = fs.filter((x) => x.name.startsWith('queue:'));
    const peaks = queues.map((x) => Math.max(...x.v));
    expect(queues).toHaveLength(3);
    expect(peaks).toEqual([...peaks].sort((a, b) => b - a));
    let deepest = 0;
    for (const r of rows)
      for (let p = 0; p < r.queueBytes.length; p++) if (isSwitch(p)) deepest = Math.max(deepest, r.queueBytes[p]);
    expect(peaks[0]).toBe(deepest);
    const flowIds = fs.filter((x) => x.name.startsWith('flow:')).map((x) => Number(x.name.split(':')[1]));
    const bySlowdown = result.flows.map((f) => f.slowdown).sort((a, b) => b - a);
    expect(flowIds.map((f) => result.flows[f].slowdown).sort((a, b) => b - a)).toEqual(bySlowdown.slice(0, 3));
    expect(fs.find((x) => x.name === `flow:${flowIds[0]}:deliveredBytes`)!.v.at(-1)).toBe(
      result.flows[flowIds[0]].deliveredBytes,
    );
    // Throughput over the rows adds up to each flow's delivered bytes.
    const { values } = flowThroughput(series);
    values.forEach((v, f) => {
      let bytes = 0;
      v.forEach((gbps, c) => {
        bytes += (gbps * series.rows[c].dtPs) / 8e3;
      });
      expect(bytes).toBeCloseTo(result.flows[f].deliveredBytes, -1);
    });
  });

  it('a file that is not one is refused in one line naming it; the run still opens without it', async () => {
    expect(() => parseSeriesFile('{"kind":"sample"}\n', 'x/series.ndjson')).toThrow(
      'x/series.ndjson: not an ethersim series file (its first line is not the "meta" line)',
    );
    const meta = '{"kind":"meta","format":"ethersim-series","version":1,"ports":["a->b","b->a"],"flows":1}';
    expect(() => parseSeriesFile(`${meta}\n{"kind":"sample",`, 's.ndjson')).toThrow(/^s\.ndjson:2: not JSON/);
    expect(() =>
      parseSeriesFile(
        `${meta}\n{"kind":"sample","tPs":1,"dtPs":1,"queueBytes":[0],"util":[0],"paused":[0],"deliveredBytes":[0]}`,
      ),
    ).toThrow('series.ndjson:2: 1 ports, the meta line names 2');
    expect(() => parseSeriesFile(meta.replace('"version":1', '"version":2'))).toThrow(
      /series version 2, this page reads 1/,
    );
    const sc = scenario('scenarios/dumbbell.yaml');
    const result = runScenario(sc);
    const file = (path: string, body: string) => ({ path, text: async () => body });
    const loaded = await openResults([file('result.json', JSON.stringify(result)), file('series.ndjson', 'garbage')]);
    if (loaded.kind !== 'runs') throw new Error('expected runs');
    expect(loaded.runs[0].series).toBeNull();
    expect(loaded.runs[0].seriesNote).toMatch(/^series\.ndjson:1: not JSON/);
  });
});
