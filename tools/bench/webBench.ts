/**
 * The browser at fabric scale, measured (issue #23's acceptance numbers): builds the page, serves
 * it, and in headless Chromium runs the 1,024-host UET permutation live at the default pace,
 * reporting the frame rate (median of 1-s windows), the main thread's long tasks after the first
 * second, how long Pause takes to stop the run, and the replay tape of a max-speed run.
 *
 *   node --import tsx tools/bench/webBench.ts [--seconds 8] [--scenario FILE]
 *   node --import tsx tools/bench/webBench.ts --open DIR   (time to open a CLI --out folder)
 *   … --profile FILE.cpuprofile   (the page's main thread, unminified; top functions on stderr)
 *
 * Chromium: as the e2e tests find it (tests/e2e/chromium.ts). Prints one JSON object. A measurement,
 * not a test: the numbers depend on the machine and its load.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'vite';
import { serveStatic } from '../../tests/e2e/staticServer.ts';
import { launchChromium } from '../../tests/e2e/chromium.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const seconds = Number(arg('seconds', '8'));
const scenarioFile = arg('scenario', 'scenarios/bench/permutation-1024-uet.yaml');
const openDir = arg('open', '');
/** Write the page's main-thread CPU profile (Chrome DevTools format) here, and print its top functions. */
const profileFile = arg('profile', '');
/** Write a Chrome trace (devtools.timeline) here, and print the main thread's time per event kind. */
const traceFile = arg('trace', '');

interface Hook {
  __ethersim: {
    state(): { runState: string; runs: Array<{ snapshots: number; simTimePs: number; status: string }> };
    lastAdvanceMs(): number;
    renderCostMs(): number[];
  };
  __longTasks: Array<{ start: number; duration: number }>;
}

await build({
  root: resolve(ROOT, 'web'),
  configFile: resolve(ROOT, 'vite.config.ts'),
  logLevel: 'error',
  // Readable function names in a profile.
  ...(profileFile ? { build: { minify: false } } : {}),
});
const server = await serveStatic(resolve(ROOT, 'dist/web'));
const { browser } = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
  await page.addInitScript(`
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  `);
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="true"]');
  if (traceFile)
    await browser.startTracing(page, {
      path: traceFile,
      categories: (process.env.TRACE_CATS ?? 'devtools.timeline').split(','),
    });
  const cdp = profileFile ? await page.context().newCDPSession(page) : null;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
    await cdp.send('Profiler.start');
  }
  /** Stop the profiler, write the profile, print the functions with the most self time. */
  const endProfile = async () => {
    if (traceFile) {
      const buf = await browser.stopTracing();
      console.error(mainThreadTime(JSON.parse(buf.toString('utf8'))).join('\n'));
    }
    if (!cdp) return;
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
    writeFileSync(profileFile, JSON.stringify(profile));
    console.error(topFunctions(profile).join('\n'));
  };
  if (openDir) {
    // From the pick to everything drawn: summary, topology, FCT CDF, heatmap.
    const t = performance.now();
    await page.setInputFiles('#open-folder', resolve(openDir));
    await page.waitForSelector('#summary td.digest', { timeout: 120_000 });
    await page.waitForSelector('#plot-cdf path.series-line', { timeout: 120_000 });
    await page.waitForFunction('(window.__ethersim.state().runs[0]?.topology?.lanes ?? 0) > 0', undefined, {
      timeout: 120_000,
    });
    // The heatmap drawn (from series.ndjson, or the result's queue series when that is all there is).
    await page.waitForFunction(
      "/rows ×|no series|no queue series/.test(document.getElementById('heat-note')?.textContent ?? '')",
      undefined,
      { timeout: 120_000 },
    );
    const ms = Math.round(performance.now() - t);
    await endProfile();
    const run = (await page.evaluate('window.__ethersim.state().runs[0]')) as {
      topology: { lanes: number; nodes: number };
    };
    console.log(
      JSON.stringify({
        open: openDir,
        openMs: ms,
        topology: run.topology,
        heatmap: await page.textContent('#heat-note'),
      }),
    );
    process.exit(0);
  }
  // Paste the scenario into the editor (CodeMirror: select all, type), as a user would.
  await page.click('#yaml-editor .cm-content');
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(readFileSync(resolve(ROOT, scenarioFile), 'utf8'));
  await page.waitForTimeout(600);
  await page.selectOption('#speed', '200');
  const t0 = await page.evaluate(() => {
    (document.getElementById('btn-run') as HTMLButtonElement).click();
    return performance.now();
  });
  // Frames per 1-s window, counted by requestAnimationFrame in the page.
  // (A string, not a function: tsx would wrap the inner function in a helper the page lacks.)
  const windows = (await page.evaluate(`(async () => {
    const out = [];
    for (let i = 0; i < ${seconds} && document.body.dataset.runState === 'running'; i++) {
      const start = performance.now();
      let frames = 0;
      await new Promise((done) => {
        const f = (t) => {
          frames++;
          if (t - start < 1000) requestAnimationFrame(f);
          else done();
        };
        requestAnimationFrame(f);
      });
      out.push((frames * 1000) / (performance.now() - start));
    }
    return out;
  })()`)) as number[];
  const live = await page.evaluate(() => (window as unknown as Hook).__ethersim.state().runs[0]);
  // Pause: click, then see when the run's time last moved (when the run is still going).
  const tPause = await page.evaluate(() => {
    const b = document.getElementById('btn-pause') as HTMLButtonElement;
    if (b.disabled) return null;
    b.click();
    return performance.now();
  });
  await page.waitForTimeout(1500);
  const { lastAdvance, longTasks, renderMs } = (await page.evaluate(`({
    lastAdvance: window.__ethersim.lastAdvanceMs(),
    longTasks: window.__longTasks,
    renderMs: window.__ethersim.renderCostMs(),
  })`)) as { lastAdvance: number; longTasks: Hook['__longTasks']; renderMs: number[] };
  const rs = [...renderMs].sort((a, b) => a - b);
  const sorted = [...windows].sort((a, b) => a - b);
  const after = longTasks.filter((t) => t.start > t0 + 1000);
  // The rest at max speed: the replay tape's length afterwards.
  await page.selectOption('#speed', 'Infinity');
  if (tPause !== null) await page.click('#btn-resume');
  await page.waitForSelector('body[data-run-state="done"]', { timeout: 300_000 });
  const end = await page.evaluate(() => (window as unknown as Hook).__ethersim.state().runs[0]);
  await endProfile();
  console.log(
    JSON.stringify(
      {
        scenario: scenarioFile,
        fpsWindows: windows.map((f) => Math.round(f * 10) / 10),
        fpsMedian: Math.round(sorted[Math.floor(sorted.length / 2)] * 10) / 10,
        liveSimUs: live.simTimePs / 1e6,
        longTasksAfter1s: after.length,
        longestTaskAfter1sMs: Math.round(Math.max(0, ...after.map((t) => t.duration))),
        // [start after Run (ms), duration (ms)] of each.
        longTasksAfter1sAt: after.map((t) => [Math.round(t.start - t0), Math.round(t.duration)]),
        longestTaskFirstSecondMs: Math.round(
          Math.max(0, ...longTasks.filter((t) => t.start <= t0 + 1000).map((t) => t.duration)),
        ),
        // The page's own work per animation frame (topology, progress, timeline), in ms.
        renderMsMedian: Math.round((rs[Math.floor(rs.length / 2)] ?? 0) * 100) / 100,
        renderMsMax: Math.round((rs.at(-1) ?? 0) * 10) / 10,
        // null: the run was over before the windows ended (it runs as fast as the CPU allows).
        pauseEffectMs: tPause === null ? null : Math.max(0, Math.round(lastAdvance - tPause)),
        liveMsToDone: tPause === null ? Math.round(lastAdvance - t0) : null,
        tapeSamplesAtEnd: end.snapshots,
        status: end.status,
      },
      null,
      1,
    ),
  );
} finally {
  await browser.close();
  await server.close();
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }>;
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function (ms), the top 25, as "ms  name  file:line". */
function topFunctions(p: CpuProfile): string[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || '(anonymous)'}  ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([k, ms]) => `${ms.toFixed(0).padStart(7)} ms  ${k}`);
}

interface TraceEvent {
  name: string;
  ph: string;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

/** The renderer main thread's time per top-level event kind (ms), largest first. */
function mainThreadTime(trace: { traceEvents: TraceEvent[] }): string[] {
  const ev = trace.traceEvents;
  const main = ev.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return ['no CrRendererMain in the trace'];
  const sum = new Map<string, number>();
  for (const e of ev)
    if (e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur)
      sum.set(e.name, (sum.get(e.name) ?? 0) + e.dur / 1000);
  return [...sum.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([k, ms]) => `${ms.toFixed(0).padStart(7)} ms  ${k}`);
}
