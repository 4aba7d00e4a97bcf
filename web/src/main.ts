/**
 * ethersim in the browser: pick or edit a scenario, run its variants in Web Workers (one each,
 * in parallel), watch the fabric live, then read the congestion trees, head-of-line victims and
 * tail latency. The main thread only renders: workers stream port snapshots at a bounded rate
 * and return the Result at the end.
 */
import * as Comlink from 'comlink';
import * as d3 from 'd3';
import { loadScenario, scenarioNotes, scenarioVariants, ScenarioError } from '../../sim/scenario/load.ts';
import type { Scenario } from '../../sim/scenario/schema.ts';
import { buildTopology, type TopologyGraph } from '../../sim/topology/index.ts';
import { buildFlows } from '../../sim/workload/index.ts';
import { RandomStreams } from '../../sim/engine/random.ts';
import type { Result, Series } from '../../sim/metrics/result.ts';
import type { LiveRunOutput, LiveWorkerApi } from './sim.worker.ts';
import { decodeSnapshot, KIND_TAPE, type Snapshot } from './snapshot.ts';
import { addTape, portHistory, type TapeSample } from './tape.ts';
import { goodputFairness } from '../../sim/metrics/flowStats.ts';
import { CYCLE_COLOR, TopologyView, utilColor, type TopologyFrame } from './topologyView.ts';
import {
  download,
  hideTooltip,
  linePlot,
  showTooltip,
  variantColor,
  rangePlot,
  setMarker,
  svgDocument,
  svgToPng,
  type LineSeries,
} from './plot.ts';
import * as T from './transforms.ts';
import { portNames } from './layout.ts';
import { banded, drawBanded, heatPixels, orderRows, type BandedGrid } from './heatmap.ts';
import { Pacer } from './pacer.ts';
import { groupedOrder, portHeat, worstOrder, type PortMetric } from './portHeat.ts';
import { fileSeries, flowThroughput, tapeFromSeries, type SeriesFile } from './seriesFile.ts';
import { openResults, SWEEP_METRICS, type InFile, type Loaded, type LoadedRun, type SweepRow } from './openResults.ts';
import { createEditor, wireScenarioFiles } from './editor.ts';
import { renderClasses } from './classesView.ts';
import { drawAxisMarks, failedAt, faultMarks, plannedSpans, spansOf, type FaultMark } from './faultsView.ts';
import { flowJobLabel, jobFlows, jobNames, moveJobsMarker, renderJobs, slowdownColor } from './jobsView.ts';

// ------------------------------------------------------------------ bundled scenarios

const bundled = import.meta.glob('../../scenarios/*.yaml', { query: '?raw', import: 'default', eager: true }) as Record<
  string,
  string
>;
const scenarios = new Map<string, string>();
for (const [path, text] of Object.entries(bundled).sort(([a], [b]) => a.localeCompare(b))) {
  scenarios.set(path.replace(/^.*\//, '').replace(/\.yaml$/, ''), text);
}
const DEFAULT_SCENARIO = scenarios.has('incast-roce-vs-uet') ? 'incast-roce-vs-uet' : [...scenarios.keys()][0];
// The benchmark scenarios (large: 1,024 and 8,192 hosts), listed apart in the picker.
const benchScenarios = import.meta.glob('../../scenarios/bench/*.yaml', {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;
const BENCH = [...Object.keys(benchScenarios)]
  .sort()
  .map((p) => `bench/${p.replace(/^.*\//, '').replace(/\.yaml$/, '')}`);
for (const name of BENCH) scenarios.set(name, benchScenarios[`../../scenarios/${name}.yaml`]);
const FROM_LINK = '(from link)';
const EDITED = '(edited)';

// ------------------------------------------------------------------ DOM

const $ = <E extends HTMLElement>(id: string) => document.getElementById(id) as E;
const picker = $<HTMLSelectElement>('scenario-picker');
const yaml = $<HTMLTextAreaElement>('yaml');
const editor = createEditor(yaml, () => onEdited());
const errorsEl = $<HTMLUListElement>('errors');
const recordSeries = $<HTMLInputElement>('record-series');
const btn = {
  run: $<HTMLButtonElement>('btn-run'),
  pause: $<HTMLButtonElement>('btn-pause'),
  resume: $<HTMLButtonElement>('btn-resume'),
  step: $<HTMLButtonElement>('btn-step'),
  cancel: $<HTMLButtonElement>('btn-cancel'),
  reset: $<HTMLButtonElement>('btn-reset'),
  share: $<HTMLButtonElement>('btn-share'),
  json: $<HTMLButtonElement>('btn-json'),
  csv: $<HTMLButtonElement>('btn-csv'),
  live: $<HTMLButtonElement>('btn-live'),
};
const speedSel = $<HTMLSelectElement>('speed');
const progressEl = $<HTMLProgressElement>('progress');
const progressText = $<HTMLSpanElement>('progress-text');
const topologiesEl = $<HTMLDivElement>('topologies');
const scrub = $<HTMLInputElement>('scrub');
const scrubTime = $<HTMLSpanElement>('scrub-time');
const treeTimeline = document.getElementById('tree-timeline') as unknown as SVGSVGElement;
const summaryEl = $<HTMLTableElement>('summary');
const victimsBody = $<HTMLTableElement>('victims').querySelector('tbody')!;
const selQueue = $<HTMLSelectElement>('sel-queue');
const selFlows = $<HTMLSelectElement>('sel-flows');
const findQueue = $<HTMLInputElement>('find-queue');
const findFlows = $<HTMLInputElement>('find-flows');
const selCtl = $<HTMLSelectElement>('sel-ctl');
const shareUrl = $<HTMLInputElement>('share-url');
const openFilesInput = $<HTMLInputElement>('open-files');
const openFolderInput = $<HTMLInputElement>('open-folder');
const sweepPanel = $<HTMLDivElement>('sweep-panel');
const heat = {
  metric: $<HTMLSelectElement>('heat-metric'),
  worst: $<HTMLInputElement>('heat-worst'),
  run: $<HTMLSelectElement>('heat-run'),
  note: $<HTMLSpanElement>('heat-note'),
  canvas: $<HTMLCanvasElement>('heat-canvas'),
  cursor: $<HTMLDivElement>('heat-cursor'),
  t0: $<HTMLSpanElement>('heat-t0'),
  t1: $<HTMLSpanElement>('heat-t1'),
};
const sweepTitle = $<HTMLSpanElement>('sweep-title');
const sweepHead = $<HTMLTableElement>('sweep-grid').querySelector('thead')!;
const sweepBody = $<HTMLTableElement>('sweep-grid').querySelector('tbody')!;

// ------------------------------------------------------------------ state

type RunStatus = 'running' | 'done' | 'cancelled' | 'error';

interface Run {
  name: string;
  color: string;
  scenario: Scenario;
  /** Null for a result opened without its scenario.json (no topology to draw). */
  graph: TopologyGraph | null;
  worker: Worker | null;
  api: Comlink.Remote<LiveWorkerApi> | null;
  view: TopologyView | null;
  /** Opened from files the CLI wrote (no live snapshots; the tape from series.ndjson when present). */
  loaded: boolean;
  /** An opened run's series.ndjson (web/src/seriesFile.ts): utilisation and flow throughput over time. */
  series: SeriesFile | null;
  note: HTMLElement;
  latest: Snapshot | null;
  /** The replay tape: samples at fixed simulated-time intervals (liveRun.ts), oldest first. */
  tape: TapeSample[];
  dirty: boolean;
  output: LiveRunOutput | null;
  status: RunStatus;
  error?: string;
  digest?: string;
}

let runs: Run[] = [];
let runState: 'idle' | 'running' | 'paused' | 'done' = 'idle';
let runToken = 0;
/** The replay time fixed by the scrubber or a click on a time plot (null: follow the run). */
let scrubPs: number | null = null;
/** The time under the pointer on a time plot: shown everywhere while the pointer is there. */
let hoverPs: number | null = null;
let previewKey = '';

/** The one time cursor: the hovered time, else the scrubbed one (null: live). */
const cursorPs = () => hoverPs ?? scrubPs;
/** When (wall ms) a run's simulated time last moved on the page: how fast Pause takes effect. */
let lastAdvanceMs = 0;

const fmt = {
  us: (ps: number) => `${d3.format(',.1f')(ps / 1e6)} µs`,
  int: d3.format(','),
  n3: (v: number) => (Math.abs(v) >= 1000 ? d3.format(',.0f')(v) : d3.format('.4~g')(v)),
  pct: d3.format('.1%'),
};

function speed(): number {
  return Number(speedSel.value);
}

// ------------------------------------------------------------------ validation

function splitError(line: string): [string, string] {
  const i = line.indexOf(': ');
  return i > 0 ? [line.slice(0, i), line.slice(i + 2)] : ['', line];
}

function showErrors(lines: string[], notes: string[] = []): void {
  // Marked in the editor at their line; a click on one selects it there.
  const at = editor.setProblems(lines, notes);
  errorsEl.replaceChildren(
    ...[...lines.map((l) => [l, 'error'] as const), ...notes.map((l) => [l, 'note'] as const)].map(([l, kind], i) => {
      const li = document.createElement('li');
      li.className = kind;
      const [path, msg] = splitError(l);
      if (path) {
        const p = document.createElement('span');
        p.className = 'path';
        p.textContent = path;
        li.append(p, ': ');
      }
      li.append(msg);
      const line = at[i];
      if (line !== null) {
        li.dataset.line = String(line);
        const go = document.createElement('button');
        go.type = 'button';
        go.className = 'goto-line';
        go.textContent = `line ${line}`;
        go.setAttribute('aria-label', `Show line ${line} in the editor`);
        go.addEventListener('click', () => editor.reveal(i));
        li.append(' ', go);
      }
      return li;
    }),
  );
}

/** The overrides the "record series" box adds: sampling where the scenario has none. */
function seriesSets(text: string): string[] {
  if (!recordSeries.checked) return [];
  try {
    const s = loadScenario(text, 'scenario').scenario;
    const sets: string[] = [];
    if (s.metrics.queueSampleNs === undefined) sets.push('metrics.queueSampleNs=1000');
    if (s.metrics.flowTraceNs === undefined) sets.push('metrics.flowTraceNs=1000');
    return sets;
  } catch {
    return [];
  }
}

/** Parse and validate the editor's text; shows errors inline; null when invalid. */
/** Whether the editor's text is a scenario the page can run (Run is disabled while it is not). */
let textValid = true;

function setValid(ok: boolean): void {
  textValid = ok;
  btn.run.disabled = !ok || runState === 'running' || runState === 'paused';
  btn.run.title = ok ? 'Run every variant (R)' : 'Fix the scenario first: its problems are listed under the editor';
}

function validate(): Array<{ name: string; scenario: Scenario }> | null {
  const text = editor.text();
  try {
    const loaded = loadScenario(text, 'scenario', seriesSets(text));
    const variants = scenarioVariants(loaded);
    // What only shows when the run is built: hosts a workload names that the topology lacks.
    const lines: string[] = [];
    for (const v of variants) {
      try {
        const g = buildTopology(v.scenario.topology, v.scenario.links);
        buildFlows(
          v.scenario.workload,
          g.hostCount,
          v.scenario.links.host.rateGbps * 1e9,
          new RandomStreams(v.scenario.seed),
        );
      } catch (e) {
        const msg = String((e as Error).message ?? e);
        lines.push(variants.length > 1 ? `compare "${v.name}": ${msg}` : msg);
      }
    }
    // Valid but most likely not meant (the CLI prints the same notes), and what the page does not do.
    const notes = [...new Set(variants.flatMap((v) => scenarioNotes(v.scenario)))];
    if (loaded.scenario.sweep)
      notes.push(
        'sweep: the page runs the base scenario (and its compare: variants); `ethersim sweep FILE` runs the sweep',
      );
    showErrors(lines, notes);
    setValid(!lines.length);
    return lines.length ? null : variants;
  } catch (e) {
    showErrors(e instanceof ScenarioError ? e.lines : [String((e as Error).message ?? e)]);
    setValid(false);
    return null;
  }
}

// ------------------------------------------------------------------ topology cells

function makeCell(
  name: string,
  color: string,
  scenario: Scenario,
  graph: TopologyGraph,
  withName: boolean,
): { view: TopologyView; note: HTMLElement } {
  const cell = document.createElement('div');
  cell.className = 'topo-cell';
  cell.dataset.variant = name;
  const h = document.createElement('h3');
  if (withName) {
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = color;
    h.append(sw);
  }
  const title = document.createElement('span');
  title.textContent = name === scenario.transport.kind ? name : `${name} · ${scenario.transport.kind}`;
  const note = document.createElement('span');
  note.className = 'tree-note muted';
  h.append(title, note);
  const tools = document.createElement('div');
  tools.className = 'topo-tools';
  const button = (text: string, label: string, cls = '') => {
    const b = document.createElement('button');
    b.textContent = text;
    b.className = cls;
    b.setAttribute('aria-label', label);
    b.title = label;
    tools.append(b);
    return b;
  };
  const zoomIn = button('+', `Zoom into the ${name} topology`);
  const zoomOut = button('−', `Zoom out of the ${name} topology`);
  const reset = button('Reset view', `Fold and zoom the ${name} topology as at first`);
  const mode = document.createElement('select');
  mode.setAttribute('aria-label', `How folded links of ${name} summarise their ports`);
  mode.append(new Option('folded: worst port', 'worst'), new Option('folded: mean of ports', 'mean'));
  tools.append(mode);
  const svgBtn = button('SVG', `Download the ${name} topology as SVG`, 'export-svg');
  const pngBtn = button('PNG', `Download the ${name} topology as PNG`, 'export-png');
  cell.append(h, tools);
  topologiesEl.append(cell);
  const wide = graph.hostCount > 48;
  const view = new TopologyView(cell, graph, scenario.switch.bufferBytes, wide ? 900 : 560, wide ? 360 : 300);
  view.invalidate();
  const hint = document.createElement('div');
  hint.className = 'muted small topo-hint';
  hint.textContent =
    'drag to pan · Ctrl/⌘ + wheel or pinch to zoom · click a folded group to open it, a member to fold it';
  cell.append(hint);
  zoomIn.addEventListener('click', () => view.zoomBy(2));
  zoomOut.addEventListener('click', () => view.zoomBy(0.5));
  reset.addEventListener('click', () => view.resetView());
  mode.addEventListener('change', () => {
    view.mode = mode.value as 'worst' | 'mean';
    renderTopologies(true);
  });
  svgBtn.addEventListener('click', () => download(`${name}-topology.svg`, view.exportSvg(), 'image/svg+xml'));
  pngBtn.addEventListener('click', async () =>
    download(`${name}-topology.png`, await svgToPng(view.exportSvg()), 'image/png'),
  );
  return { view, note };
}

/** Draw the idle topology of a valid scenario (the first screen, and after edits). */
function preview(): void {
  if (runState === 'running' || runState === 'paused') return;
  const variants = validate();
  if (!variants) return;
  const key = JSON.stringify(
    variants.map((v) => [v.name, v.scenario.topology, v.scenario.links, v.scenario.transport.kind]),
  );
  if (key === previewKey && runs.length) return;
  previewKey = key;
  disposeRuns();
  runs = variants.map((v, i) => newRun(v.name, v.scenario, i, variants.length > 1));
  for (const r of runs) r.view?.render({ simTimePs: 0, queueBytes: null, util: null, paused: new Map() });
  clearResults();
  renderTimeline();
}

function newRun(name: string, scenario: Scenario, i: number, withName: boolean): Run {
  const graph = buildTopology(scenario.topology, scenario.links);
  const color = variantColor(i);
  const { view, note } = makeCell(name, color, scenario, graph, withName);
  const run = { tape: [] as TapeSample[] };
  view.onPickPort = (port) => {
    const r = runs.find((x) => x.view === view);
    if (r) pickPort(port, r);
  };
  view.historyOf = (ports) => portHistory(run.tape, ports, view.mode);
  view.onFold = () => renderTopologies(true);
  // A partitioned scenario runs at full speed with no live view (sim.worker.ts): say so until its result is in.
  if (scenario.engine.partitions > 1)
    note.textContent = `${scenario.engine.partitions} partitions: no live view; the result shows when the run ends`;
  return {
    name,
    color,
    scenario,
    graph,
    worker: null,
    api: null,
    view,
    note,
    latest: null,
    tape: run.tape,
    dirty: false,
    output: null,
    status: 'running',
    loaded: false,
    series: null,
  };
}

// ------------------------------------------------------------------ results the CLI wrote

/** A run opened from files: its result, and its topology when scenario.json came with it. */
function loadedRun(l: LoadedRun, i: number, withName: boolean): Run {
  let scenario: Scenario | null = null;
  let why = '';
  if (l.scenario) {
    try {
      scenario = loadScenario(JSON.stringify(l.scenario), 'scenario.json').scenario;
    } catch (e) {
      why = `scenario.json does not load (${String((e as Error).message ?? e).split('\n')[0]})`;
    }
  } else why = 'no scenario.json beside result.json (written by `ethersim run --out` since this version)';
  const color = variantColor(i);
  const result = l.result;
  let graph: TopologyGraph | null = null;
  let view: TopologyView | null = null;
  let note: HTMLElement;
  if (scenario) {
    graph = buildTopology(scenario.topology, scenario.links);
    ({ view, note } = makeCell(l.name, color, scenario, graph, withName));
  } else {
    const cell = document.createElement('div');
    cell.className = 'topo-cell';
    cell.dataset.variant = l.name;
    const h = document.createElement('h3');
    note = document.createElement('span');
    note.className = 'tree-note muted';
    h.append(l.name, note);
    const p = document.createElement('p');
    p.className = 'muted small';
    p.textContent = `Topology not drawn: ${why}.`;
    cell.append(h, p);
    topologiesEl.append(cell);
  }
  // The fabric over time from series.ndjson; else the queue series the result may hold.
  const tape: TapeSample[] = !graph
    ? []
    : l.series
      ? tapeFromSeries(l.series, portNames(graph), result)
      : tapeFromResult(result, graph);
  if (l.seriesNote) note.textContent = l.seriesNote;
  if (view) view.historyOf = (ports) => portHistory(tape, ports, view!.mode);
  if (view) view.onFold = () => renderTopologies(true);
  if (view)
    view.onPickPort = (port) => {
      const r = runs.find((x) => x.view === view);
      if (r) pickPort(port, r);
    };
  return {
    name: l.name,
    color,
    scenario:
      scenario ?? ({ name: result.meta.name, stop: {}, transport: { kind: result.meta.transport } } as Scenario),
    graph,
    worker: null,
    api: null,
    view,
    note,
    latest: null,
    tape,
    dirty: true,
    output: {
      result,
      latencyBuckets: [],
      pathOffsets: new Int32Array(1),
      pathPorts: new Int32Array(0),
    },
    status: 'done',
    digest: T.resultDigest(result),
    loaded: true,
    series: l.series ?? null,
  };
}

/**
 * A replay tape from a result's recorded queue series (metrics.queueSampleNs): each sample
 * time's queue depth at every sampled port, no utilisation (the CLI does not record it), and
 * the pause state from congestion.pauseIntervals.
 */
function tapeFromResult(result: Result, graph: TopologyGraph): TapeSample[] {
  const names = new Map(portNames(graph).map((n, p) => [`queue:${n}`, p]));
  const qs = result.series.filter((x) => x.name.startsWith('queue:') && names.has(x.name));
  if (!qs.length) return [];
  const n = 2 * graph.links.length;
  const times = qs[0].t;
  const tape: TapeSample[] = [];
  const intervals = result.congestion?.pauseIntervals ?? [];
  times.forEach((tPs, i) => {
    const queueBytes = new Float32Array(n);
    for (const q of qs) if (q.t[i] === tPs) queueBytes[names.get(q.name)!] = q.v[i];
    const paused = new Uint8Array(n);
    const root = new Int32Array(n).fill(-1);
    let pausedN = 0;
    for (const [p, r] of T.pausedAt(intervals, tPs)) {
      paused[p] = 1;
      root[p] = r;
      pausedN++;
    }
    tape.push({
      portCount: n,
      simTimePs: tPs,
      events: 0,
      flowsDone: 0,
      flowsTotal: result.summary.flowsTotal,
      intervalPs: i > 0 ? tPs - times[i - 1] : tPs,
      kind: KIND_TAPE,
      tapeDtPs: 0,
      queueBytes,
      util: new Float32Array(n),
      cause: new Int32Array(n).fill(-1),
      root,
      paused,
      pausedN,
    });
  });
  return tape;
}

/** Open what the user picked or dropped: runs (one view each) or a sweep (a grid of variants). */
async function openFiles(files: InFile[]): Promise<void> {
  if (runState === 'running' || runState === 'paused') {
    showErrors(['open results: cancel the run first']);
    return;
  }
  let loaded: Loaded;
  try {
    loaded = await openResults(files);
  } catch (e) {
    showErrors([`open results: ${String((e as Error).message ?? e)}`]);
    return;
  }
  showErrors([]);
  if (loaded.kind === 'sweep') {
    renderSweepGrid(loaded);
    const first = loaded.rows.find((r) => r.result);
    if (first)
      showLoaded([
        { name: first.name, result: first.result!, scenario: first.scenario, ...(await first.loadSeries()) },
      ]);
    return;
  }
  sweepPanel.hidden = true;
  showLoaded(loaded.runs);
}

function showLoaded(list: LoadedRun[]): void {
  runToken++;
  disposeRuns();
  previewKey = 'loaded';
  clearResults();
  scrubPs = null;
  hoverPs = null;
  runs = list.map((l, i) => loadedRun(l, i, list.length > 1));
  setRunState('done');
  renderResults();
  progressText.textContent = `opened: ${list.map((l) => l.name).join(', ')}`;
  progressEl.value = 1;
}

function renderSweepGrid(sw: Extract<Loaded, { kind: 'sweep' }>): void {
  sweepPanel.hidden = false;
  sweepTitle.textContent = `${sw.name}: ${sw.rows.length} variants (${sw.rows.filter((r) => r.result).length} finished)`;
  const head = row(['variant', ...sw.params, ...SWEEP_METRICS.map(([m]) => m)], 'th', [
    '',
    ...sw.params.map(() => ''),
    ...SWEEP_METRICS.map(() => 'num'),
  ]);
  let sortBy = -1;
  let asc = true;
  const body = () => {
    const rows = [...sw.rows];
    if (sortBy >= 0) {
      const f = SWEEP_METRICS[sortBy][1];
      const v = (r: SweepRow) => (r.result ? f(r.result) : Number.NaN);
      rows.sort((a, b) => (Number.isNaN(v(a)) ? 1 : Number.isNaN(v(b)) ? -1 : asc ? v(a) - v(b) : v(b) - v(a)));
    }
    return rows.map((r) => {
      const tr = row(
        [
          r.name,
          ...sw.params.map((p) => String(r.set[p] ?? '')),
          ...SWEEP_METRICS.map(([, f]) => (r.result ? fmt.n3(f(r.result)) : '—')),
        ],
        'td',
        ['', ...sw.params.map(() => ''), ...SWEEP_METRICS.map(() => 'num')],
      );
      tr.className = 'sweep-row';
      tr.dataset.variant = r.name;
      if (r.result) {
        tr.tabIndex = 0;
        const open = async () => {
          sweepBody.querySelectorAll('tr').forEach((x) => {
            x.classList.toggle('selected', x === tr);
          });
          showLoaded([{ name: r.name, result: r.result!, scenario: r.scenario, ...(await r.loadSeries()) }]);
        };
        tr.addEventListener('click', open);
        tr.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            void open();
          }
        });
      }
      return tr;
    });
  };
  [...head.children].slice(1 + sw.params.length).forEach((th, i) => {
    (th as HTMLElement).style.cursor = 'pointer';
    th.setAttribute('title', 'sort by this metric');
    th.addEventListener('click', () => {
      asc = sortBy === i ? !asc : true;
      sortBy = i;
      sweepBody.replaceChildren(...body());
    });
  });
  sweepHead.replaceChildren(head);
  sweepBody.replaceChildren(...body());
}

/** Every file under a dropped folder, with its path inside the drop. */
async function filesOfDrop(dt: DataTransfer): Promise<InFile[]> {
  const out: InFile[] = [];
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
      out.push({ path: prefix + entry.name, text: () => file.text() });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
        if (!batch.length) break;
        for (const e of batch) await walk(e, `${prefix}${entry.name}/`);
      }
    }
  };
  const entries = [...dt.items].map((it) => it.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  if (entries.length) for (const e of entries) await walk(e, '');
  else for (const f of dt.files) out.push({ path: f.name, text: () => f.text() });
  return out;
}

const fromInput = (input: HTMLInputElement): InFile[] =>
  [...(input.files ?? [])].map((f) => ({ path: f.webkitRelativePath || f.name, text: () => f.text() }));

function disposeRuns(): void {
  for (const r of runs) {
    r.worker?.terminate();
  }
  runs = [];
  topologiesEl.replaceChildren();
}

// ------------------------------------------------------------------ running

async function start(paused = false): Promise<void> {
  if (runState === 'running' || runState === 'paused') return;
  const variants = validate();
  if (!variants) return; // never run invalid input
  const token = ++runToken;
  disposeRuns();
  previewKey = '';
  clearResults();
  scrubPs = null;
  updateScrubLabel();
  runs = variants.map((v, i) => newRun(v.name, v.scenario, i, variants.length > 1));
  setRunState(paused ? 'paused' : 'running');
  const jobs = runs.map(async (r) => {
    const worker = new Worker(new URL('./sim.worker.ts', import.meta.url), {
      type: 'module',
      name: `ethersim-${r.name}`,
    });
    r.worker = worker;
    r.api = Comlink.wrap<LiveWorkerApi>(worker);
    try {
      const out = await r.api.run(
        r.scenario,
        { speedUsPerSec: speed(), startPaused: paused },
        Comlink.proxy((bufs: ArrayBuffer[]) => {
          for (const b of bufs) onSnapshot(r, b);
        }),
      );
      if (token !== runToken) return;
      r.output = out;
      r.status = out.result.meta.stopReason === 'cancelled' ? 'cancelled' : 'done';
      r.digest = T.resultDigest(out.result);
    } catch (e) {
      if (token !== runToken) return;
      r.status = 'error';
      r.error = String((e as Error).message ?? e);
    }
    r.dirty = true;
  });
  await Promise.all(jobs);
  if (token !== runToken) return;
  for (const r of runs) {
    r.worker?.terminate();
    r.worker = null;
    r.api = null;
  }
  const errs = runs
    .filter((r) => r.status === 'error')
    .map((r) => (runs.length > 1 ? `compare "${r.name}": ${r.error}` : r.error!));
  if (errs.length) showErrors(errs.flatMap((e) => e.split('\n')));
  setRunState('done');
  renderResults();
}

function onSnapshot(r: Run, buf: ArrayBuffer): void {
  const s = decodeSnapshot(buf);
  if (!r.latest || s.simTimePs > r.latest.simTimePs) lastAdvanceMs = performance.now();
  if (!r.latest || s.simTimePs >= r.latest.simTimePs) r.latest = s;
  if (s.kind === KIND_TAPE) addTape(r.tape, s);
  r.dirty = true;
  snapshotsIn++;
}
/** Snapshots received, and how many the timeline and the heatmap last drew: redrawn only when new ones came. */
let snapshotsIn = 0;
let timelineAt = -1;
let heatAt = -1;

function setRunState(s: typeof runState): void {
  runState = s;
  document.body.dataset.runState = s;
  const active = s === 'running' || s === 'paused';
  btn.run.disabled = active || !textValid;
  btn.pause.disabled = s !== 'running';
  btn.resume.disabled = s !== 'paused';
  btn.step.disabled = s === 'running';
  btn.cancel.disabled = !active;
  btn.json.disabled = btn.csv.disabled = !runs.some((r) => r.output);
  picker.disabled = active;
  editor.setReadOnly(active);
}

// ------------------------------------------------------------------ frames

function snapshotAt(r: Run, tPs: number): Snapshot | null {
  const h = r.tape;
  if (!h.length) return null;
  const i = d3.bisector((s: Snapshot) => s.simTimePs).right(h, tPs) - 1;
  return h[Math.max(0, i)];
}

function pausedOf(s: Snapshot | null): Map<number, number> {
  const m = new Map<number, number>();
  if (!s) return m;
  for (let p = 0; p < s.portCount; p++) if ((s.paused[p] & 0x3f) !== 0) m.set(p, s.root[p]);
  return m;
}

function endPsOf(r: Run): number {
  return r.output ? r.output.result.meta.simTimePs : (r.latest?.simTimePs ?? 0);
}

/** The paused ports of the deadlock cycles formed by time t (null while the run is live: not known yet). */
function cyclePortsAt(r: Run, tPs: number): Set<number> | null {
  const dls = r.output?.result.congestion?.deadlocks;
  if (!dls) return null;
  return new Set(dls.filter((d) => d.formedPs <= tPs).flatMap((d) => d.ports));
}

function frameFor(r: Run): TopologyFrame | null {
  // An opened result has no live state: without a cursor it shows its end.
  const at = cursorPs() ?? (r.loaded ? endPsOf(r) : null);
  if (at === null) {
    const s = r.latest;
    if (!s) return null;
    return {
      simTimePs: s.simTimePs,
      queueBytes: s.queueBytes,
      util: s.util,
      paused: pausedOf(s),
      cyclePorts: cyclePortsAt(r, s.simTimePs),
      failed: failedOf(r, s.simTimePs),
    };
  }
  const t = Math.min(at, endPsOf(r));
  const s = snapshotAt(r, t);
  const cong = r.output?.result.congestion;
  const paused = cong ? T.pausedAt(cong.pauseIntervals, t) : pausedOf(s);
  return {
    simTimePs: t,
    queueBytes: s?.queueBytes ?? null,
    util: r.loaded && !r.series ? null : (s?.util ?? null),
    paused,
    cyclePorts: cyclePortsAt(r, t),
    failed: failedOf(r, t),
  };
}

/** A run's failed link spans: what it recorded, or while it goes, what its fault schedule will do. */
const spansFor = (r: Run) => (r.output ? spansOf(r.output.result) : r.graph ? plannedSpans(r.scenario, r.graph) : []);

/** The links a fault had failed at time t. */
function failedOf(r: Run, tPs: number) {
  return failedAt(spansFor(r), tPs, (n) => r.view?.portByName(n) ?? -1);
}

/** The fault times of the runs (the same schedule in every variant: marked once). */
function faultTimes(): FaultMark[] {
  const seen = new Map<string, FaultMark>();
  for (const r of runs) for (const m of faultMarks(spansFor(r))) seen.set(`${m.kind}:${m.tPs}:${m.label}`, m);
  return [...seen.values()].sort((a, b) => a.tPs - b.tPs);
}
const faultEvents = () => faultTimes().map((m) => ({ x: m.tPs / 1e6, label: m.label, kind: m.kind }));

function maxEndPs(): number {
  return Math.max(0, ...runs.map(endPsOf));
}

let lastScrubRendered: number | null | undefined;

function renderTopologies(force = false): void {
  const scrubChanged = lastScrubRendered !== cursorPs();
  lastScrubRendered = cursorPs();
  for (const r of runs) {
    if (!force && !r.dirty && !scrubChanged) continue;
    r.dirty = false;
    const f = frameFor(r);
    if (!f) continue;
    r.view?.render(f);
    const roots = new Set([...f.paused.values()].filter((x) => x >= 0));
    const cycle = [...f.paused.values()].some((x) => x === -2);
    // The deadlock the analysis found, named link by link as the CLI does, once it has formed.
    const dl = r.output?.result.congestion?.deadlocks.find((d) => d.formedPs <= f.simTimePs);
    const cycleText = dl
      ? ` · DEADLOCK since ${fmt.us(dl.formedPs)}: ${dl.cycle.join(' → ')}`
      : cycle
        ? ' · CYCLE (deadlock)'
        : '';
    r.note.textContent =
      `${fmt.us(f.simTimePs)} · ${f.paused.size} paused edge${f.paused.size === 1 ? '' : 's'}` +
      (roots.size ? ` · ${roots.size} tree${roots.size === 1 ? '' : 's'}` : '') +
      cycleText +
      (r.status === 'error' ? ' · error' : '');
  }
}

function updateProgress(): void {
  if (!runs.length || runs.every((r) => !r.latest)) return;
  let frac = 1;
  const parts: string[] = [];
  for (const r of runs) {
    const s = r.latest;
    if (!s) continue;
    const timeUs = r.scenario.stop.timeUs;
    const f = r.output
      ? 1
      : Math.max(s.flowsTotal ? s.flowsDone / s.flowsTotal : 0, timeUs ? s.simTimePs / (timeUs * 1e6) : 0);
    frac = Math.min(frac, f);
    const state = r.status === 'running' ? '' : ` (${r.output?.result.meta.stopReason ?? r.status})`;
    // Once the run is over, the result's own numbers (the summary's): the last snapshot may be
    // older (taken when the last flow finished, or of one partition only).
    const res = r.output?.result;
    const simPs = res ? res.meta.simTimePs : s.simTimePs;
    const doneN = res ? res.summary.flowsDone : s.flowsDone;
    const totalN = res ? res.summary.flowsTotal : s.flowsTotal;
    const events = res ? res.meta.events : s.events;
    parts.push(
      `${runs.length > 1 ? `${r.name}: ` : ''}${fmt.us(simPs)} · ${doneN}/${totalN} flows · ${fmt.int(events)} events${state}`,
    );
  }
  progressEl.value = frac;
  progressText.textContent = (runState === 'paused' ? 'paused · ' : '') + parts.join('  |  ');
}

// ------------------------------------------------------------------ scrubber and tree timeline

function updateScrubLabel(): void {
  const t = cursorPs();
  scrubTime.textContent = t === null ? 'live' : fmt.us(t);
  btn.live.disabled = scrubPs === null;
  const end = maxEndPs();
  if (t === null) scrub.value = scrub.max;
  else if (end > 0) scrub.value = String(Math.round((Math.min(t, end) / end) * 1000));
}

/** The plots with a simulated-time axis: they share the time cursor. */
const timePlots = () =>
  [treeTimeline, ...['plot-queue', 'plot-tput', 'plot-ctl'].map((id) => document.querySelector(`#${id} svg`))].filter(
    (e): e is SVGSVGElement => e !== null,
  );

/** Hovering a time plot moves the cursor on every view; a click fixes the replay there. */
const timeCursor = {
  hover(xUs: number | null): void {
    const t = xUs === null || !runs.length ? null : Math.max(0, Math.min(maxEndPs(), xUs * 1e6));
    if (t === hoverPs) return;
    hoverPs = t;
    cursorMoved();
  },
  pick(xUs: number): void {
    hoverPs = null;
    setScrub(Math.max(0, Math.min(maxEndPs(), xUs * 1e6)));
  },
};

/** Move the cursor's marks without redrawing the plots. */
function cursorMoved(): void {
  const t = cursorPs();
  for (const svg of timePlots())
    setMarker(svg, svg === treeTimeline ? (t ?? maxEndPs()) / 1e6 : t === null ? null : t / 1e6);
  updateScrubLabel();
  renderTopologies();
  moveHeatCursor();
  moveJobsMarker(jobsSvg, t === null ? null : t / 1e6);
}

// ------------------------------------------------------------------ jobs (jobsView.ts)

const jobsSvg = document.getElementById('jobs-timeline') as unknown as SVGSVGElement;
const jobFilter = $<HTMLSelectElement>('job-filter');
const jobsExpanded = new Set<string>();

/** The job timeline and the FCT plots' job filter, for runs whose results have jobs[]. */
function renderJobsPanel(): void {
  const rs = done().map((r) => ({ name: r.name, color: r.color, result: r.output.result }));
  const names = jobNames(rs);
  $('jobs-panel').hidden = names.length === 0;
  $('job-filter-label').hidden = names.length === 0;
  const want = ['', ...names.map((_, i) => String(i))];
  if ([...jobFilter.options].map((o) => o.value).join('|') !== want.join('|'))
    fillSelect(
      jobFilter,
      [['', 'all jobs'], ...names.map((n, i): [string, string] => [String(i), n])],
      (_, i) => i === 0,
    );
  if (!names.length) return;
  const legend = $('jobs-legend');
  legend.replaceChildren(
    'slowdown ',
    ...[1, 1.5, 2, 4].map((v) => {
      const k = document.createElement('span');
      k.className = 'slowdown-key';
      k.style.background = slowdownColor(v);
      k.textContent = v === 4 ? '≥ 4' : String(v);
      return k;
    }),
  );
  const shown = jobsSvg.parentElement?.getBoundingClientRect().width ?? 0;
  const t = cursorPs();
  renderJobs(jobsSvg, rs, {
    width: shown > 0 ? Math.max(420, Math.round(shown) - 24) : 900,
    expanded: jobsExpanded,
    onToggle: (key) => {
      if (!jobsExpanded.delete(key)) jobsExpanded.add(key);
      renderJobsPanel();
    },
    events: faultEvents(),
    marker: t === null ? null : t / 1e6,
    cursor: timeCursor,
  });
}

/** The job the "flows of" picker names, or null for all jobs. */
const pickedJob = () => (jobFilter.value === '' ? null : Number(jobFilter.value));
/** The name of the job the "flows of" picker names. */
const pickedJobName = () => jobFilter.selectedOptions[0]?.textContent ?? 'this job';

/** The flows the FCT plots show: all, or one job's (the "flows of" picker). */
const shownFlows = (r: Result) => jobFlows(r, pickedJob());
jobFilter.addEventListener('change', () => {
  renderLatencyPlots();
  if (heat.metric.value === 'tput') renderHeatmap();
});

function renderTimeline(): void {
  const series: LineSeries[] = runs.map((r) => {
    const cong = r.output?.result.congestion;
    const points = cong
      ? T.pausedCountSeries(cong.pauseIntervals, endPsOf(r))
      : r.tape.map((s) => ({ x: s.simTimePs / 1e6, y: s.pausedN }));
    return { name: r.name, color: r.color, points };
  });
  const marker = (cursorPs() ?? maxEndPs()) / 1e6;
  // Drawn at the width it is shown at (a fixed 900-wide drawing scaled down to a narrow page
  // shrank its text to 5 px).
  const shown = treeTimeline.getBoundingClientRect?.().width ?? 0;
  linePlot(treeTimeline, {
    series,
    step: true,
    width: shown > 0 ? Math.max(420, Math.round(shown)) : 900,
    height: 110,
    marker,
    x: { label: 'simulated time (µs)', domain: [0, maxEndPs() > 0 ? maxEndPs() / 1e6 : 1] },
    y: { label: 'paused edges', tickFormat: (n) => (Number.isInteger(n) ? String(n) : '') },
    cursor: timeCursor,
    events: faultEvents(),
    empty: 'paused (link, priority) edges over time appear here',
  });
  // The scrubber's axis is the run so far: its fault marks follow it.
  drawAxisMarks($('scrub-marks'), faultTimes(), 0, maxEndPs());
}

// ------------------------------------------------------------------ results

function clearResults(): void {
  summaryEl.replaceChildren(row(['Run a scenario to see its results.'], 'td'));
  renderClasses($('classes-panel'), []);
  victimsBody.replaceChildren();
  const blank: Array<[string, string, string]> = [
    ['plot-cdf', 'flow completion time (µs)', 'fraction of flows ≤ x'],
    ['plot-ccdf', 'flow completion time (µs)', 'fraction of flows ≥ x'],
    ['plot-slowdown', 'flow size', 'slowdown (FCT / ideal)'],
    ['plot-pktlat', 'percentile (nines)', 'one-way latency (µs)'],
    ['plot-pktcdf', 'one-way latency (µs)', 'fraction of packets ≤ x'],
    ['plot-pktccdf', 'one-way latency (µs)', 'fraction of packets ≥ x'],
    ['plot-queue', 'simulated time (µs)', 'queue depth (KB)'],
    ['plot-tput', 'simulated time (µs)', 'throughput (Gb/s)'],
    ['plot-ctl', 'simulated time (µs)', 'DCQCN rate / NSCC window'],
  ];
  for (const [id, xl, yl] of blank) {
    linePlot(document.querySelector(`#${id} svg`) as SVGSVGElement, {
      series: [],
      x: { label: xl },
      y: { label: yl },
      empty: 'press Run to fill this plot',
    });
  }
  selQueue.replaceChildren();
  selFlows.replaceChildren();
  findQueue.value = findFlows.value = '';
  selCtl.replaceChildren();
  treeTimeline.replaceChildren();
  btn.json.disabled = btn.csv.disabled = true;
  renderHeatmap();
  jobsExpanded.clear();
  renderJobsPanel();
}

function row(cells: Array<string | Node>, tag: 'td' | 'th' = 'td', cls?: string[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  cells.forEach((c, i) => {
    const td = document.createElement(tag);
    if (cls?.[i]) td.className = cls[i];
    td.append(c);
    tr.append(td);
  });
  return tr;
}

function done(): Array<Run & { output: LiveRunOutput }> {
  return runs.filter((r): r is Run & { output: LiveRunOutput } => r.output !== null);
}

function renderSummary(): void {
  const rs = done();
  if (!rs.length) return;
  const q = (r: Result) => r.summary;
  const ifDone = (r: Run & { output: LiveRunOutput }, v: number) =>
    q(r.output.result).flowsDone > 0 ? fmt.n3(v) : '—';
  const rows: Array<[string, (r: Run & { output: LiveRunOutput }) => string]> = [
    ['transport', (r) => r.output.result.meta.transport],
    ['hosts / switches', (r) => `${r.output.result.meta.hosts} / ${r.output.result.meta.switches}`],
    ['flows done', (r) => `${q(r.output.result).flowsDone} / ${q(r.output.result).flowsTotal}`],
    // No finished flow, no FCT: a dash, as the CLI prints, not a 0 that reads as a measurement.
    ['FCT p50 (µs)', (r) => ifDone(r, q(r.output.result).fctUs.p50)],
    ['FCT p99 (µs)', (r) => ifDone(r, q(r.output.result).fctUs.p99)],
    ['FCT max (µs)', (r) => ifDone(r, q(r.output.result).fctUs.max)],
    ['slowdown p50', (r) => ifDone(r, q(r.output.result).slowdown.p50)],
    ['slowdown p99', (r) => ifDone(r, q(r.output.result).slowdown.p99)],
    [
      'goodput fairness (Jain)',
      (r) => {
        const j = goodputFairness(r.output.result);
        return Number.isFinite(j) ? j.toFixed(3) : '—';
      },
    ],
    ['pkt latency p50 (µs)', (r) => fmt.n3(q(r.output.result).latencyUs.p50)],
    ['pkt latency p99 (µs)', (r) => fmt.n3(q(r.output.result).latencyUs.p99)],
    ['PFC pauses', (r) => fmt.int(r.output.result.counters.pauseFrames)],
    ['paused time (sum over ports)', (r) => fmt.us(r.output.result.counters.pausedTimePs)],
    ['congestion trees', (r) => String(r.output.result.congestion?.summary.trees ?? '-')],
    [
      'largest tree (depth / edges)',
      (r) => {
        const s = r.output.result.congestion?.summary;
        return s ? `${s.largestDepth} / ${s.largestBreadth}` : '-';
      },
    ],
    ['victims', (r) => String(r.output.result.congestion?.summary.victims ?? '-')],
    ['deadlocks', (r) => String(r.output.result.congestion?.summary.deadlocks ?? '-')],
    ['drops / trims', (r) => `${fmt.int(r.output.result.counters.drops)} / ${fmt.int(r.output.result.counters.trims)}`],
    // A lossless class should never drop: flagged (as the CLI table and result.notes do).
    [
      'lossless drops',
      (r) => {
        const n = r.output.result.counters.losslessDrops ?? 0;
        return n > 0 ? `${fmt.int(n)} ⚠ lossless class dropped` : '0';
      },
    ],
    ['ECN marks', (r) => fmt.int(r.output.result.counters.ecnMarks)],
    ['retransmits', (r) => fmt.int(r.output.result.counters.retransmits)],
    ['sim time', (r) => fmt.us(r.output.result.meta.simTimePs)],
    ['events', (r) => fmt.int(r.output.result.meta.events)],
    ['wall time', (r) => `${fmt.int(Math.round(r.output.result.meta.wallMs))} ms`],
    ['stop reason', (r) => r.output.result.meta.stopReason],
    ['result digest', (r) => r.digest ?? ''],
  ];
  const head = row(
    [
      '',
      ...rs.map((r) => {
        const s = document.createElement('span');
        s.className = 'variant-key';
        const i = document.createElement('i');
        i.style.background = r.color;
        s.append(i, r.name);
        return s;
      }),
    ],
    'th',
  );
  const body = rows.map(([label, f]) => {
    const tr = row([label, ...rs.map(f)], 'td', ['', ...rs.map(() => 'num')]);
    if (label === 'result digest')
      rs.forEach((r, i) => {
        (tr.children[i + 1] as HTMLElement).dataset.digest = r.digest ?? '';
        (tr.children[i + 1] as HTMLElement).dataset.variant = r.name;
      });
    return tr;
  });
  summaryEl.replaceChildren(head, ...body);
  summaryEl.querySelectorAll('td').forEach((td) => {
    if (td.dataset.digest) td.classList.add('digest');
  });
}

/** A port name ("spine1->leaf0") with a non-breaking hyphen, so that a table cell wraps between names, not inside one. */
const noBreak = (name: string) => name.replace(/-/g, '\u2011');

function renderVictims(): void {
  const rows: HTMLTableRowElement[] = [];
  runs.forEach((r, ri) => {
    if (!r.output) return;
    for (const v of T.victimRows(r.output.result)) {
      const tr = row(
        [
          r.name,
          String(v.flow),
          `h${v.src} → h${v.dst}`,
          fmt.n3(v.blockedUs),
          fmt.pct(v.fctShare),
          Number.isFinite(v.fctUs) ? fmt.n3(v.fctUs) : 'unfinished',
          v.roots.map(noBreak).join(', '),
        ],
        'td',
        ['', 'num', '', 'num', 'num', 'num', ''],
      );
      tr.className = 'victim-row';
      tr.tabIndex = 0;
      tr.dataset.run = String(ri);
      tr.dataset.flow = String(v.flow);
      tr.dataset.blocked = String(v.blockedUs);
      const select = () => selectVictim(ri, v.flow);
      tr.addEventListener('click', select);
      tr.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          select();
        }
      });
      rows.push(tr);
    }
  });
  rows.sort((a, b) => Number(b.dataset.blocked) - Number(a.dataset.blocked));
  if (!rows.length && runs.some((r) => r.output)) {
    const tr = row(['no head-of-line victims: no flow was blocked by a pause whose root is off its path'], 'td');
    (tr.firstChild as HTMLTableCellElement).colSpan = 7;
    tr.className = 'muted';
    rows.push(tr);
  }
  victimsBody.replaceChildren(...rows);
}

function flowPathOf(out: LiveRunOutput, flow: number): number[] {
  if (flow + 1 >= out.pathOffsets.length) return [];
  return Array.from(out.pathPorts.subarray(out.pathOffsets[flow], out.pathOffsets[flow + 1]));
}

function selectVictim(ri: number, flow: number): void {
  victimsBody.querySelectorAll('tr').forEach((tr) => {
    tr.classList.toggle('selected', tr.dataset.run === String(ri) && tr.dataset.flow === String(flow));
  });
  const r = runs[ri];
  if (!r?.output) return;
  const res = r.output.result;
  const f = res.flows[flow];
  const path = flowPathOf(r.output, flow);
  const end = f.fctPs >= 0 ? f.startPs + f.fctPs : res.meta.simTimePs;
  const onPath = new Set(path);
  const blocking = (res.congestion?.pauseIntervals ?? []).filter(
    (iv) => onPath.has(iv.port) && iv.startPs < end && (iv.endPs < 0 || iv.endPs > f.startPs),
  );
  const v = res.congestion?.victims.find((x) => x.flow === flow);
  const roots = (v?.roots ?? []).map((n) => r.view?.portByName(n) ?? -1).filter((p) => p >= 0);
  runs.forEach((o, i) => {
    o.view?.highlight(i === ri ? { path, blockedPorts: [...new Set(blocking.map((iv) => iv.port))], roots } : null);
  });
  // Jump the replay to the longest pause that blocked it, so its tree is on screen.
  const longest = d3.greatest(blocking, (iv) => (iv.endPs < 0 ? end : iv.endPs) - iv.startPs);
  if (longest)
    setScrub(longest.startPs + Math.min(1e6, ((longest.endPs < 0 ? end : longest.endPs) - longest.startPs) / 2));
}

function setScrub(tPs: number | null): void {
  scrubPs = tPs;
  const end = maxEndPs();
  if (tPs !== null && end > 0) scrub.value = String(Math.round((tPs / end) * 1000));
  updateScrubLabel();
  renderTopologies();
  renderTimeline();
  renderSeries();
  moveHeatCursor();
}

function logIfWide(values: number[]): 'log' | 'linear' {
  const pos = values.filter((v) => v > 0);
  if (pos.length < 2) return 'linear';
  return d3.max(pos)! / d3.min(pos)! > 30 ? 'log' : 'linear';
}

/** An opened result has no histogram: its summary's percentiles (p50, p90, p99, p99.9) stand in. */
function summaryPercentiles(r: Result): Array<{ x: number; y: number }> {
  const q = r.summary.latencyUs;
  if (!q.count) return [];
  return [
    { x: T.nines(0.5), y: q.p50 },
    { x: 1, y: q.p90 },
    { x: 2, y: q.p99 },
    { x: 3, y: q.p999 },
  ];
}

function renderLatencyPlots(): void {
  const rs = done();
  const cdf = rs.map((r) => ({ name: r.name, color: r.color, points: T.ecdf(T.fctsUs(shownFlows(r.output.result))) }));
  const allF = cdf.flatMap((s) => s.points.map((p) => p.x));
  const svg = (id: string) => document.querySelector(`#${id} svg`) as SVGSVGElement;
  linePlot(svg('plot-cdf'), {
    series: cdf,
    step: true,
    x: { label: 'flow completion time (µs)', type: logIfWide(allF) },
    y: { label: 'fraction of flows ≤ x', domain: [0, 1] },
    empty: 'no finished flows',
  });
  const cc = rs.map((r) => ({ name: r.name, color: r.color, points: T.ccdf(T.fctsUs(shownFlows(r.output.result))) }));
  const ccLow = Math.min(1, ...cc.map((s) => s.points.at(-1)?.y ?? 1));
  linePlot(svg('plot-ccdf'), {
    series: cc,
    step: true,
    x: { label: 'flow completion time (µs)', type: 'log' },
    y: { label: 'fraction of flows ≥ x', type: 'log', domain: [ccLow < 1 ? ccLow : 0.01, 1] },
    empty: 'no finished flows',
  });
  const buckets = rs.flatMap((r) =>
    T.slowdownBuckets(shownFlows(r.output.result)).map((b) => ({
      group: b.label,
      series: r.name,
      color: r.color,
      lo: b.p50,
      hi: b.p99,
      note: `${b.count} flows`,
    })),
  );
  rangePlot(svg('plot-slowdown'), buckets, {
    xLabel: 'flow size',
    y: { label: 'slowdown (FCT / ideal)', type: logIfWide(buckets.flatMap((b) => [b.lo, b.hi])) },
    loLabel: 'p50',
    hiLabel: 'p99',
    empty: 'no finished flows',
  });
  const pk = rs.map((r) => ({
    name: r.name,
    color: r.color,
    points: r.output.latencyBuckets.length
      ? T.latencyPercentiles(r.output.latencyBuckets).map((p) => ({ x: p.nines, y: p.us }))
      : summaryPercentiles(r.output.result),
  }));
  const lc = rs.map((r) => ({ r, c: T.latencyCdf(r.output.latencyBuckets) }));
  const latX = lc.flatMap(({ c }) => c.cdf.map((p) => p.x));
  linePlot(svg('plot-pktcdf'), {
    series: lc.map(({ r, c }) => ({ name: r.name, color: r.color, points: c.cdf })),
    step: true,
    x: { label: 'one-way latency (µs)', type: logIfWide(latX) },
    y: { label: 'fraction of packets ≤ x', domain: [0, 1] },
    empty: 'no packets (metrics.latency off?)',
  });
  const lcLow = Math.min(1, ...lc.map(({ c }) => c.ccdf.at(-1)?.y ?? 1));
  linePlot(svg('plot-pktccdf'), {
    series: lc.map(({ r, c }) => ({ name: r.name, color: r.color, points: c.ccdf })),
    step: true,
    x: { label: 'one-way latency (µs)', type: 'log' },
    y: { label: 'fraction of packets ≥ x', type: 'log', domain: [lcLow < 1 ? lcLow : 0.01, 1] },
    empty: 'no packets (metrics.latency off?)',
  });
  const nl = (n: number) => (n <= 0 ? 'p0' : `p${d3.format('.6~r')(100 * (1 - 10 ** -n))}`);
  // Ticks at whole nines only (p90, p99, p99.9, …); the hover names the exact percentile.
  linePlot(svg('plot-pktlat'), {
    series: pk,
    x: { label: 'percentile (nines)', tickFormat: (n) => (Number.isInteger(n) ? nl(n) : ''), format: nl },
    y: { label: 'one-way latency (µs)', type: logIfWide(pk.flatMap((s) => s.points.map((p) => p.y))) },
    empty: 'no packets (metrics.latency off?)',
  });
}

function fillSelect(
  sel: HTMLSelectElement,
  items: Array<[string, string]>,
  selected: (v: string, i: number) => boolean,
): void {
  sel.replaceChildren(
    ...items.map(([value, label], i) => {
      const o = document.createElement('option');
      o.value = value;
      o.textContent = label;
      o.selected = selected(value, i);
      return o;
    }),
  );
}

const fromFile = new WeakMap<SeriesFile, Series[]>();
/** A run's time series: its result's, and for an opened run those of its series.ndjson too. */
function seriesOf(r: Run & { output: LiveRunOutput }): Series[] {
  const own = r.output.result.series;
  const g = r.graph;
  if (!r.series || !g) return own;
  let all = fromFile.get(r.series);
  if (!all) {
    const have = new Set(own.map((x) => x.name));
    const isSwitch = (p: number) => g.nodeTier[g.links[p >> 1][p & 1 ? 'b' : 'a']] > 0;
    all = [...own, ...fileSeries(r.series, isSwitch, r.output.result).filter((x) => !have.has(x.name))];
    fromFile.set(r.series, all);
  }
  return all;
}

function fillSeriesControls(): void {
  const rs = done();
  const idx = rs.map((r) => T.seriesIndex(seriesOf(r)));
  const queues = [...new Set(idx.flatMap((x) => x.queues))];
  fillSelect(
    selQueue,
    queues.map((q) => [q, q.slice(6)]),
    (_, i) => i === 0,
  );
  const flows = [...new Set(idx.flatMap((x) => [...x.flows.keys()]))].sort((a, b) => a - b);
  // Prefer the victims (most blocked first), then the first traced flows.
  const victims = rs.flatMap((r) => T.victimRows(r.output.result).map((v) => v.flow));
  const pick = new Set([...victims.filter((f) => flows.includes(f)).slice(0, 1), ...flows].slice(0, 2));
  fillSelect(
    selFlows,
    // A job's flows name their job and collective, so that the picker's search finds them by job.
    flows.map((f) => [String(f), `flow ${f}${flowJobLabel(rs[0]?.output.result, f)}`]),
    (v) => pick.has(Number(v)),
  );
  const ctl = [...new Set(idx.flatMap((x) => [...x.flows.values()].flat()))].filter((m) => m !== 'deliveredBytes');
  fillSelect(
    selCtl,
    ctl.map((m) => [m, m]),
    (_, i) => i === 0,
  );
}

const CTL_LABEL: Record<string, string> = {
  // rateGbps and alpha are traced by several schemes (DCQCN, HPCC, TIMELY, DCTCP: docs/reference/cc-family.md).
  rateGbps: 'sending rate (Gb/s)',
  targetGbps: 'DCQCN target rate (Gb/s)',
  alpha: 'α (DCQCN, DCTCP)',
  windowKB: 'window (KB)',
  util: 'HPCC utilisation U',
  rttUs: 'RTT (µs)',
  targetUs: 'Swift target delay (µs)',
  cwndBytes: 'NSCC window (KB)',
  cwnd: 'NSCC window (KB)',
  inflightBytes: 'UET bytes in flight (KB)',
};

/** Byte-valued control traces are drawn in KB (a window of 600,000 B needs no six-digit ticks). */
const CTL_SCALE: Record<string, number> = { cwndBytes: 1e-3, cwnd: 1e-3, inflightBytes: 1e-3 };

/** Flow colours when a single run is shown (colour-blind-safe categorical scheme). */
const FLOW_COLORS = d3.schemeTableau10;

function renderSeries(): void {
  const rs = done();
  if (!rs.length) return;
  const svg = (id: string) => document.querySelector(`#${id} svg`) as SVGSVGElement;
  const t = cursorPs();
  const marker = t !== null ? t / 1e6 : undefined;
  const events = faultEvents();
  const none = 'not recorded: tick "record … time series", run again';
  const q = selQueue.value;
  linePlot(svg('plot-queue'), {
    series: rs.map((r) => ({
      name: `${r.name} · ${q.slice(6)}`,
      color: r.color,
      points: (() => {
        const s = seriesOf(r).find((x) => x.name === q);
        return s ? T.seriesPoints(s, 1e-3) : [];
      })(),
    })),
    x: { label: 'simulated time (µs)' },
    y: { label: 'queue depth (KB)' },
    marker,
    cursor: timeCursor,
    events,
    empty: none,
  });
  const flows = [...selFlows.selectedOptions].map((o) => Number(o.value));
  const dashes = [undefined, '6 3', '2 2', '8 3 2 3'];
  const tput: LineSeries[] = [];
  const ctl: LineSeries[] = [];
  const metric = selCtl.value;
  // Several runs: a colour per run, a dash per flow. One run: a colour per flow.
  const single = rs.length === 1;
  for (const r of rs) {
    flows.forEach((f, i) => {
      const color = single ? FLOW_COLORS[i % FLOW_COLORS.length] : r.color;
      const dash = single ? undefined : dashes[i % dashes.length];
      const name = single ? `flow ${f}` : `${r.name} · flow ${f}`;
      const d = seriesOf(r).find((x) => x.name === `flow:${f}:deliveredBytes`);
      if (d) tput.push({ name, color, dash, points: T.throughputGbps(d.t, d.v) });
      const c = seriesOf(r).find((x) => x.name === `flow:${f}:${metric}`);
      if (c) ctl.push({ name, color, dash, points: T.seriesPoints(c, CTL_SCALE[metric] ?? 1) });
    });
  }
  linePlot(svg('plot-tput'), {
    series: tput,
    x: { label: 'simulated time (µs)' },
    y: { label: 'throughput (Gb/s)' },
    marker,
    cursor: timeCursor,
    events,
    empty: none,
  });
  linePlot(svg('plot-ctl'), {
    series: ctl,
    x: { label: 'simulated time (µs)' },
    y: { label: CTL_LABEL[metric] ?? (metric || 'value') },
    marker,
    cursor: timeCursor,
    events,
    empty: metric ? none : 'no rate/window trace for this transport',
  });
}

function renderResults(): void {
  setRunState(runState);
  renderSummary();
  renderClasses(
    $('classes-panel'),
    done().map((r) => ({ name: r.name, color: r.color, result: r.output.result })),
  );
  renderVictims();
  renderTimeline();
  renderTopologies(true);
  updateProgress();
  // The panels further down in the next frames: at a 1,024-host run's end, everything in one
  // task held the main thread 60–90 ms (docs/performance.md, "The page").
  const token = runToken;
  requestAnimationFrame(() => {
    if (token !== runToken) return;
    renderLatencyPlots();
    fillSeriesControls();
    renderSeries();
    requestAnimationFrame(() => {
      if (token === runToken) renderHeatmap();
    });
  });
  renderJobsPanel();
}

// ------------------------------------------------------------------ fabric heatmap

interface HeatShown {
  grid: BandedGrid;
  unit: (v: number) => string;
}
let heatShown: HeatShown | null = null;

/** The heatmap's grid for a run: ports × tape samples (queue, utilisation, PAUSE) or flows × time. */
function heatGrid(r: Run, metric: string): { grid: BandedGrid; unit: (v: number) => string; max: number } | null {
  const pixels = heatPixels(heat.canvas);
  // The job picker ("flows of") narrows the flow heatmap as it does the FCT plots.
  const job = pickedJob();
  const flowsOfRun = r.output?.result.flows;
  const shownFlow = (id: number) => job === null || flowsOfRun?.[id]?.job === job;
  if (metric === 'tput' && r.series) {
    // An opened run's series.ndjson: every flow's throughput per row.
    const { tUs, values } = flowThroughput(r.series);
    const keys = values.map((_, f) => String(f).padStart(9, '0'));
    const order = orderRows(keys, values, heat.worst.checked).filter(shownFlow);
    if (!order.length) return null;
    // The colour scale of the rows shown (with a job picked, that job's flows only).
    let max = 1;
    for (const f of order) for (const x of values[f]) if (x > max) max = x;
    return {
      grid: banded({ tUs, rows: order.map((i) => `flow ${i}`), values: order.map((i) => values[i]) }, pixels),
      unit: (v) => `${v.toFixed(1)} Gb/s`,
      max,
    };
  }
  if (metric === 'tput') {
    const traces = (r.output?.result.series ?? []).filter(
      (x) => /^flow:\d+:deliveredBytes$/.test(x.name) && shownFlow(Number(x.name.split(':')[1])),
    );
    if (!traces.length) return null;
    const pts = traces.map((d) => T.throughputGbps(d.t, d.v));
    const tUs = pts.reduce((a, p) => (p.length > a.length ? p : a), pts[0]).map((p) => p.x);
    const values = pts.map((p) => Float32Array.from(tUs, (_, i) => p[i]?.y ?? 0));
    const keys = traces.map((d) => d.name.split(':')[1].padStart(9, '0'));
    const order = orderRows(keys, values, heat.worst.checked);
    return {
      grid: banded(
        { tUs, rows: order.map((i) => `flow ${Number(keys[i])}`), values: order.map((i) => values[i]) },
        pixels,
      ),
      unit: (v) => `${v.toFixed(1)} Gb/s`,
      max: Math.max(1, ...values.map((v) => Math.max(...v))),
    };
  }
  const tape = r.tape;
  if (!tape.length || !r.graph || !r.view) return null;
  if (metric === 'util' && r.loaded && !r.series) return null;
  // Straight from the tape, each sample's column kept with it (portHeat.ts): a live redraw
  // reads only the samples that arrived since the last one.
  const m = metric as PortMetric;
  const names = portNames(r.graph);
  const order = heat.worst.checked ? worstOrder(tape, m, names.length) : groupedOrder(r.graph);
  const { grid, max } = portHeat(tape, m, order, names, pixels);
  const fmtB = d3.format(',');
  return {
    grid,
    unit:
      metric === 'queue'
        ? (v) => `${fmtB(Math.round(v))} B`
        : metric === 'util'
          ? (v) => `${(v * 100).toFixed(1)} %`
          : (v) => (v > 0 ? 'PAUSED' : 'not paused'),
    max: metric === 'queue' ? Math.max(1, max) : 1,
  };
}

function renderHeatmap(): void {
  const have = runs.map((r) => r.name);
  if ([...heat.run.options].map((o) => o.value).join('|') !== have.join('|'))
    fillSelect(
      heat.run,
      have.map((n) => [n, n]),
      (_, i) => i === 0,
    );
  const r = runs.find((x) => x.name === heat.run.value) ?? runs[0];
  const metric = heat.metric.value;
  const built = r ? heatGrid(r, metric) : null;
  if (!built) {
    heatShown = null;
    heat.canvas.getContext('2d')?.clearRect(0, 0, heat.canvas.width, heat.canvas.height);
    heat.note.textContent = !r
      ? ''
      : metric === 'tput'
        ? pickedJob() !== null && (r.series || r.output?.result.series?.some((x) => x.name.startsWith('flow:')))
          ? `no flows of ${pickedJobName()} traced in this run`
          : 'no flow traces: tick "record … time series" and run again'
        : metric === 'util' && r.loaded
          ? 'no series.ndjson beside this result (written by `ethersim run --out` since this version)'
          : r.loaded
            ? 'no queue series in this result (metrics.queueSampleNs)'
            : 'appears as the run goes';
    heat.t0.textContent = heat.t1.textContent = '';
    drawAxisMarks($('heat-marks'), [], 0, 0);
    return;
  }
  const { grid, unit, max } = built;
  const isDark = window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
  const rgb = (c: string): [number, number, number] => {
    const x = d3.rgb(c);
    return [x.r, x.g, x.b];
  };
  const ramp = metric === 'util' ? (v: number) => utilColor(v, isDark) : (v: number) => d3.interpolateYlOrRd(v);
  // 64 colour levels, looked up per cell.
  const lut = d3.range(65).map((i) => rgb(i === 0 ? (isDark ? '#1e1e23' : '#ffffff') : ramp(i / 64)));
  const level = (v: number) => (v <= 0 ? 0 : 1 + Math.min(63, Math.floor(Math.sqrt(v / max) * 64)));
  drawBanded(heat.canvas, grid, (v) => lut[level(v)]);
  heatShown = { grid, unit };
  const nRows = grid.bands[grid.bands.length - 1];
  const perBand = Math.ceil(nRows / (grid.bands.length - 1));
  const ofJob = metric === 'tput' && pickedJob() !== null ? ` (flows of ${pickedJobName()})` : '';
  heat.note.textContent = `${fmt.int(nRows)} rows${ofJob} × ${grid.tUs.length} samples${perBand > 1 ? ` (a pixel row is the worst of ~${perBand})` : ''}; colour ∝ √value, max ${unit(max)}`;
  heat.t0.textContent = fmt.us(grid.tUs[0] * 1e6);
  heat.t1.textContent = fmt.us(grid.tUs[grid.tUs.length - 1] * 1e6);
  drawAxisMarks($('heat-marks'), faultTimes(), grid.tUs[0] * 1e6, grid.tUs[grid.tUs.length - 1] * 1e6);
  moveHeatCursor();
}

function moveHeatCursor(): void {
  const t = cursorPs();
  const g = heatShown?.grid;
  if (!g || t === null || g.tUs.length < 2) {
    heat.cursor.hidden = true;
    return;
  }
  const t0 = g.tUs[0];
  const t1 = g.tUs[g.tUs.length - 1];
  const f = (t / 1e6 - t0) / (t1 - t0 || 1);
  heat.cursor.hidden = f < 0 || f > 1;
  heat.cursor.style.left = `${(f * 100).toFixed(2)}%`;
}

heat.canvas.addEventListener('pointermove', (ev) => {
  const h = heatShown;
  if (!h?.grid.tUs.length) return;
  const rect = heat.canvas.getBoundingClientRect();
  const col = Math.min(h.grid.tUs.length - 1, Math.floor(((ev.clientX - rect.left) / rect.width) * h.grid.tUs.length));
  const k = h.grid.bands.length - 1;
  const band = Math.min(k - 1, Math.floor(((ev.clientY - rect.top) / rect.height) * k));
  const r0 = h.grid.bands[band];
  const r1 = h.grid.bands[band + 1];
  let worst = r0;
  for (let r = r0; r < r1; r++) if (h.grid.valueAt(r, col) > h.grid.valueAt(worst, col)) worst = r;
  const lines = [
    `t = ${fmt.us(h.grid.tUs[col] * 1e6)}`,
    r1 - r0 > 1 ? `${r1 - r0} rows: ${h.grid.rows[r0]} … ${h.grid.rows[r1 - 1]}` : h.grid.rows[r0],
    `${r1 - r0 > 1 ? `worst: ${h.grid.rows[worst]} ` : ''}${h.unit(h.grid.valueAt(worst, col))}`,
  ];
  showTooltip(ev, lines);
  if (heat.metric.value !== 'tput') timeCursor.hover(h.grid.tUs[col]);
});
heat.canvas.addEventListener('pointerleave', () => {
  hideTooltip();
  timeCursor.hover(null);
});
heat.canvas.addEventListener('click', (ev) => {
  const h = heatShown;
  if (!h?.grid.tUs.length) return;
  const rect = heat.canvas.getBoundingClientRect();
  const col = Math.min(h.grid.tUs.length - 1, Math.floor(((ev.clientX - rect.left) / rect.width) * h.grid.tUs.length));
  timeCursor.pick(h.grid.tUs[col]);
});
for (const el of [heat.metric, heat.worst, heat.run]) el.addEventListener('change', renderHeatmap);

// ------------------------------------------------------------------ legend

function renderLegend(): void {
  const el = d3.select('#legend');
  el.selectAll('*').remove();
  const ramp = el.append('span');
  ramp.append('span').text('utilisation 0 ');
  const svg = ramp.append('svg').attr('width', 90).attr('height', 10);
  const id = 'util-grad';
  const grad = svg.append('defs').append('linearGradient').attr('id', id);
  d3.range(0, 1.01, 0.1).forEach((u) => {
    grad
      .append('stop')
      .attr('offset', `${u * 100}%`)
      .attr('stop-color', utilColor(u));
  });
  svg.append('rect').attr('width', 90).attr('height', 10).attr('fill', `url(#${id})`);
  ramp.append('span').text(' 100 %');
  const q = el.append('span');
  q.append('svg')
    .attr('width', 14)
    .attr('height', 14)
    .append('circle')
    .attr('class', 'queue')
    .attr('cx', 7)
    .attr('cy', 7)
    .attr('r', 5);
  q.append('span').text(' queue depth (area)');
  const p = el.append('span');
  const ps = p.append('svg').attr('width', 34).attr('height', 10);
  ps.append('path').attr('class', 'paused-edge').attr('d', 'M30,5L4,5').attr('stroke', '#D55E00');
  ps.append('path').attr('d', 'M0,5L7,1L7,9z').attr('fill', '#D55E00');
  p.append('span').text(' paused edge, arrow = back-pressure (upstream)');
  const r = el.append('span');
  r.append('svg')
    .attr('width', 16)
    .attr('height', 16)
    .append('circle')
    .attr('cx', 8)
    .attr('cy', 8)
    .attr('r', 6)
    .attr('fill', 'none')
    .attr('stroke', '#D55E00')
    .attr('stroke-width', 2.5);
  r.append('span').text(' congestion-tree root port');
  const c = el.append('span');
  c.append('svg')
    .attr('width', 34)
    .attr('height', 10)
    .append('path')
    .attr('class', 'paused-edge cycle')
    .attr('d', 'M30,5L4,5')
    .attr('stroke', CYCLE_COLOR);
  c.append('span').text(' pause cycle (deadlock)');
}

// ------------------------------------------------------------------ wiring

function loadText(text: string): void {
  editor.setText(text);
  previewKey = '';
  preview();
}

picker.addEventListener('change', () => {
  const t = scenarios.get(picker.value);
  if (t !== undefined) loadText(t);
});

let editTimer = 0;
function onEdited(): void {
  if (picker.value !== EDITED) {
    if (![...picker.options].some((o) => o.value === EDITED)) picker.add(new Option(EDITED, EDITED));
    picker.value = EDITED;
  }
  clearTimeout(editTimer);
  editTimer = window.setTimeout(preview, 250);
}
wireScenarioFiles({
  open: $<HTMLInputElement>('open-scenario'),
  save: $<HTMLButtonElement>('btn-save-scenario'),
  editor,
  onOpen: (file, text) => {
    const label = `file: ${file}`;
    if (![...picker.options].some((o) => o.value === label)) picker.add(new Option(label, label));
    picker.value = label;
    loadText(text);
  },
});
recordSeries.addEventListener('change', () => validate());

btn.run.addEventListener('click', () => void start(false));
btn.pause.addEventListener('click', () => {
  for (const r of runs) void r.api?.pause();
  setRunState('paused');
});
btn.resume.addEventListener('click', () => {
  for (const r of runs) void r.api?.resume();
  setRunState('running');
});
btn.step.addEventListener('click', () => {
  const us = Number.isFinite(speed()) ? speed() / 10 : 10;
  if (runState === 'idle' || runState === 'done') {
    void start(true);
    setTimeout(() => {
      for (const r of runs) void r.api?.step(us);
    }, 0);
    return;
  }
  for (const r of runs) void r.api?.step(us);
  setRunState('paused');
});
btn.cancel.addEventListener('click', () => {
  for (const r of runs) void r.api?.cancel();
});
btn.reset.addEventListener('click', () => {
  runToken++;
  disposeRuns();
  previewKey = '';
  scrubPs = null;
  setRunState('idle');
  progressEl.value = 0;
  progressText.textContent = 'idle';
  showErrors([]);
  preview();
  updateScrubLabel();
});
// The tree timeline is drawn at the width it is shown at: redraw it when that changes.
{
  let pending = false;
  let lastWidth = 0;
  new ResizeObserver((entries) => {
    const w = Math.round(entries[0]?.contentRect.width ?? 0);
    if (w === lastWidth || pending) return;
    lastWidth = w;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      renderTimeline();
      renderJobsPanel(); // the job timeline is drawn at its shown width too
    });
  }).observe(treeTimeline.parentElement ?? treeTimeline);
}

// The Run button's shortcut (its title says R): not while typing in the editor or a field.
document.addEventListener('keydown', (e) => {
  const t = e.target as HTMLElement | null;
  if (e.key !== 'r' && e.key !== 'R') return;
  if (e.ctrlKey || e.metaKey || e.altKey || (t && (t.isContentEditable || /^(TEXTAREA|INPUT|SELECT)$/.test(t.tagName))))
    return;
  if (btn.run.disabled) return;
  e.preventDefault();
  btn.run.click();
});
speedSel.addEventListener('change', () => {
  for (const r of runs) void r.api?.setSpeed(speed());
});
scrub.addEventListener('input', () => {
  const end = maxEndPs();
  setScrub((Number(scrub.value) / 1000) * end);
});
btn.live.addEventListener('click', () => setScrub(null));
openFilesInput.addEventListener('change', () => {
  void openFiles(fromInput(openFilesInput));
  openFilesInput.value = '';
});
openFolderInput.addEventListener('change', () => {
  void openFiles(fromInput(openFolderInput));
  openFolderInput.value = '';
});
// Drop a result.json, an --out folder or a sweep folder anywhere on the page.
document.addEventListener('dragover', (e) => {
  if (e.dataTransfer?.types.includes('Files')) {
    e.preventDefault();
    document.body.classList.add('dropping');
  }
});
document.addEventListener('dragleave', (e) => {
  if (e.relatedTarget === null) document.body.classList.remove('dropping');
});
document.addEventListener('drop', (e) => {
  document.body.classList.remove('dropping');
  if (!e.dataTransfer?.types.includes('Files')) return;
  e.preventDefault();
  void filesOfDrop(e.dataTransfer).then(openFiles);
});
for (const s of [selQueue, selFlows, selCtl]) s.addEventListener('change', renderSeries);

/**
 * Searchable pickers: the text narrows the list to the entries containing it (words in any
 * order, case ignored), so one port among thousands is a few keystrokes away. When the port
 * plotted is filtered out, the first match is plotted instead.
 */
function filterPicker(input: HTMLInputElement, sel: HTMLSelectElement): void {
  const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
  let first: HTMLOptionElement | null = null;
  for (const o of sel.options) {
    const text = o.textContent?.toLowerCase() ?? '';
    o.hidden = !words.every((w) => text.includes(w));
    if (!o.hidden && !first) first = o;
  }
  if (!sel.multiple && sel.selectedOptions[0]?.hidden && first) {
    sel.value = first.value;
    renderSeries();
  }
}
findQueue.addEventListener('input', () => filterPicker(findQueue, selQueue));
findFlows.addEventListener('input', () => filterPicker(findFlows, selFlows));

/** A click on a single port's lane plots that port's queue, when the run recorded it. */
function pickPort(port: number, r: Run): void {
  const name = r.view?.portName(port);
  if (!name || ![...selQueue.options].some((o) => o.value === `queue:${name}`)) return;
  findQueue.value = '';
  filterPicker(findQueue, selQueue);
  selQueue.value = `queue:${name}`;
  renderSeries();
}

btn.json.addEventListener('click', () => {
  const rs = done();
  const name = rs[0]?.output.result.meta.name ?? 'result';
  const body = rs.length === 1 ? rs[0].output.result : rs.map((r) => ({ name: r.name, result: r.output.result }));
  download(`${name}.json`, JSON.stringify(body, null, 1), 'application/json');
});
btn.csv.addEventListener('click', () => {
  const rs = done();
  download(
    `${rs[0]?.scenario.name ?? 'flows'}-flows.csv`,
    T.flowsCsv(rs.map((r) => ({ name: r.name, result: r.output.result }))),
    'text/csv',
  );
});
btn.share.addEventListener('click', async () => {
  const hash = await T.encodeShare(editor.text());
  history.replaceState(null, '', hash);
  shareUrl.hidden = false;
  shareUrl.value = location.href;
  shareUrl.select();
  try {
    await navigator.clipboard?.writeText(location.href);
    btn.share.textContent = 'Link copied';
  } catch {
    btn.share.textContent = 'Link in URL';
  }
  setTimeout(() => {
    btn.share.textContent = 'Share link';
  }, 2000);
});

// SVG and PNG export buttons on every plot, each named for its plot (for screen readers too).
document.querySelectorAll<HTMLElement>('figure.plot').forEach((fig) => {
  const caption = fig.querySelector('figcaption')!;
  const what = caption.textContent?.trim() ?? fig.id;
  const file = fig.id.replace(/^plot-/, '');
  for (const kind of ['SVG', 'PNG'] as const) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = kind === 'SVG' ? 'export-svg' : 'export-png';
    b.textContent = kind;
    b.setAttribute('aria-label', `Download the plot “${what}” as ${kind}`);
    b.title = b.getAttribute('aria-label')!;
    b.addEventListener('click', async () => {
      const doc = svgDocument(fig.querySelector('svg')!);
      if (kind === 'SVG') download(`${file}.svg`, doc, 'image/svg+xml');
      else download(`${file}.png`, await svgToPng(doc), 'image/png');
    });
    caption.append(b);
  }
});

window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener?.('change', () => {
  renderLegend();
  for (const r of runs) r.view?.invalidate();
  renderTopologies(true);
});

// ------------------------------------------------------------------ animation loop (render only)

const frameTimes: number[] = [];
let lastTimeline = 0;
let lastHeat = 0;
/** Whether the heatmap is on screen: off screen it is not redrawn while the run goes. */
let heatVisible = true;
new IntersectionObserver((entries) => {
  heatVisible = entries.some((e) => e.isIntersecting);
  if (heatVisible && runState !== 'done') renderHeatmap();
}).observe(heat.canvas);
/** The topology's live redraws, paced by what each cost (pacer.ts); hover and scrub draw at once. */
const topoPacer = new Pacer();
function tick(now: number): void {
  frameTimes.push(now);
  if (frameTimes.length > 600) frameTimes.splice(0, frameTimes.length - 600);
  topoPacer.frame(now);
  // One expensive panel per frame at most while the run goes, so that no frame holds the main
  // thread long: the topology (paced by its cost), else the pause timeline (4 Hz), else the
  // heatmap (1 Hz; it reads only the tape samples that arrived since it last drew).
  const live = runState === 'running' || runState === 'paused';
  const t0 = performance.now();
  let drew = true;
  if (runs.some((r) => r.dirty) && (!live || topoPacer.due(now))) {
    renderTopologies();
    topoPacer.drew(now);
    updateProgress();
  } else if (live && now - lastTimeline > 250 && timelineAt !== snapshotsIn) {
    lastTimeline = now;
    timelineAt = snapshotsIn;
    renderTimeline();
  } else if (live && heatVisible && now - lastHeat > 1000 && heatAt !== snapshotsIn) {
    lastHeat = now;
    heatAt = snapshotsIn;
    renderHeatmap();
  } else drew = false;
  if (drew) {
    renderCost.push(performance.now() - t0);
    if (renderCost.length > 600) renderCost.shift();
  }
  requestAnimationFrame(tick);
}
const renderCost: number[] = [];

// Test and debugging hook: state only (read-only copies), no way to drive the app.
(window as unknown as { __ethersim: unknown }).__ethersim = {
  state: () => ({
    runState,
    runs: runs.map((r) => ({
      name: r.name,
      status: r.status,
      digest: r.digest ?? null,
      loaded: r.loaded,
      simTimePs: r.latest?.simTimePs ?? 0,
      snapshots: r.tape.length,
      tapeDtPs: r.tape.at(-1)?.tapeDtPs ?? 0,
      stopReason: r.output?.result.meta.stopReason ?? null,
      topology: r.view ? { ...r.view.stats, folded: r.view.foldedGroups().length } : null,
    })),
    cursorPs: cursorPs(),
  }),
  /** Page coordinates of a drawn lane (by port) or node (by index), for tests that hover them. */
  lanePoint: (run: number, port: number) => {
    const v = runs[run]?.view;
    const l = v?.laneOfPort(port) ?? -1;
    return v && l >= 0 ? v.laneClientPoint(l) : null;
  },
  drawnNodes: (run: number) => runs[run]?.view?.drawnNodes() ?? [],
  nodePoint: (run: number, node: number) => runs[run]?.view?.nodeClientPoint(node) ?? null,
  renderCostMs: () => renderCost.slice(),
  lastAdvanceMs: () => lastAdvanceMs,
};

// ------------------------------------------------------------------ start-up

async function init(): Promise<void> {
  for (const name of scenarios.keys()) if (!BENCH.includes(name)) picker.add(new Option(name, name));
  const bench = document.createElement('optgroup');
  bench.label = 'benchmarks (large)';
  for (const name of BENCH) bench.append(new Option(name, name));
  picker.append(bench);
  renderLegend();
  const shared = location.hash ? await T.decodeShare(location.hash) : null;
  if (shared !== null) {
    picker.add(new Option(FROM_LINK, FROM_LINK));
    picker.value = FROM_LINK;
    loadText(shared);
  } else {
    picker.value = DEFAULT_SCENARIO;
    loadText(scenarios.get(DEFAULT_SCENARIO) ?? '');
  }
  setRunState('idle');
  updateScrubLabel();
  requestAnimationFrame(tick);
  await editor.ready;
  document.body.dataset.ready = 'true';
}

void init();
