/**
 * Traffic classes (docs/fabric-shapes.md "Traffic classes"): one table per run that has
 * `result.classes`, a row per class with the numbers the CLI's table prints (flows done, FCT and
 * slowdown quantiles, drops, trims, PAUSEs and paused time on its priority), so a lossless class
 * that dropped, or a lossy one that trimmed, is read off at a glance.
 */
import * as d3 from 'd3';
import type { ClassStat, Result } from '../../sim/metrics/result.ts';

export interface ClassRun {
  name: string;
  color: string;
  result: Result;
}

/** The page's number format (as the summary's): 4 significant digits, thousands grouped. */
export const fmtNum = (v: number) => (Math.abs(v) >= 1000 ? d3.format(',.0f')(v) : d3.format('.4~g')(v));
const fmtInt = d3.format(',');

/** The columns: header, how a class's cell reads, and whether it is a number. */
export const CLASS_COLUMNS: Array<[string, (c: ClassStat) => string]> = [
  ['class', (c) => c.name],
  ['transport', (c) => c.transport],
  ['priority', (c) => String(c.priority)],
  ['flows done', (c) => `${fmtInt(c.flowsDone)} / ${fmtInt(c.flowsTotal)}`],
  ['FCT p50 (µs)', (c) => (c.flowsDone ? fmtNum(c.fctUs.p50) : '—')],
  ['FCT p99 (µs)', (c) => (c.flowsDone ? fmtNum(c.fctUs.p99) : '—')],
  ['slowdown p99', (c) => (c.flowsDone ? fmtNum(c.slowdown.p99) : '—')],
  ['drops', (c) => fmtInt(c.drops)],
  ['trims', (c) => fmtInt(c.trims)],
  ['PFC pauses', (c) => fmtInt(c.pauses)],
  ['paused time (µs)', (c) => fmtNum(c.pausedTimePs / 1e6)],
];

/** Fill the panel with a table per run that has classes; hide it when none has. */
export function renderClasses(panel: HTMLElement, runs: readonly ClassRun[]): void {
  const host = panel.querySelector<HTMLElement>('.class-tables') ?? panel;
  const withClasses = runs.filter((r) => r.result.classes?.length);
  panel.hidden = withClasses.length === 0;
  host.replaceChildren(
    ...withClasses.map((r) => {
      const table = document.createElement('table');
      table.className = 'classes';
      table.dataset.variant = r.name;
      const cap = table.createCaption();
      const key = document.createElement('i');
      key.className = 'swatch';
      key.style.background = r.color;
      cap.append(key, ` ${r.name}`);
      const head = table.createTHead().insertRow();
      for (const [h] of CLASS_COLUMNS) {
        const th = document.createElement('th');
        th.textContent = h;
        th.scope = 'col';
        head.append(th);
      }
      const body = table.createTBody();
      for (const c of r.result.classes ?? []) {
        const tr = body.insertRow();
        tr.dataset.class = c.name;
        CLASS_COLUMNS.forEach(([, f], i) => {
          const td = tr.insertCell();
          td.textContent = f(c);
          if (i >= 2) td.className = 'num';
        });
      }
      return table;
    }),
  );
}
