/**
 * An instruction profile of one benchmark run: the run under valgrind's callgrind, its
 * instruction counts attributed to JIT functions through V8's code map (`--perf-basic-prof`
 * writes /tmp/perf-PID.map). Instruction counts do not depend on how fast the VM runs today
 * (docs/performance.md#how-to-measure: wall times here move by up to 2× between hours), so they are how one
 * change is compared with another; `npm run bench -- --profile` prints them.
 *
 * `node --single-threaded` keeps V8's compiler and GC on the main thread, so for the same code
 * the hot functions' counts repeat exactly and the totals within 0.1 % (two 1024-host UET runs:
 * 13,524,478,428 and 13,529,742,561; the JIT's own work varies a little); callgrind runs it
 * some 50× slower (about 2–3 minutes for a 1024-host run).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FunctionCost {
  /** A JIT function's name and source module (from the bundle's module comments), or a native one. */
  name: string;
  instructions: number;
}

export interface InstructionProfile {
  instructions: number;
  events: number;
  /** The most expensive functions, all compiled versions of one function together. */
  top: FunctionCost[];
}

/** Whether valgrind can be run here (it is on every machine kind of this workplace). */
export function hasValgrind(): boolean {
  return spawnSync('valgrind', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Profiles made by this process (their callgrind files' names). */
let profiles = 0;

/**
 * Run `args` (a bundled runOne.ts and its arguments, printing runOne's JSON line) under callgrind
 * and attribute its instructions. `bundle` is the bundle file, whose `// sim/…` module comments
 * name the module of each function.
 */
export function profileRun(bundle: string, args: string[], cwd: string, topN = 8): InstructionProfile {
  const out = join(tmpdir(), `ethersim-callgrind-${process.pid}-${profiles++}.out`);
  const p = spawnSync(
    'valgrind',
    [
      '--tool=callgrind',
      '--dump-instr=yes',
      `--callgrind-out-file=${out}`,
      process.execPath,
      '--single-threaded',
      '--perf-basic-prof',
      bundle,
      ...args,
    ],
    { cwd, encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  if (p.status !== 0)
    throw new Error(
      `callgrind run failed (exit ${p.status}): ${(p.stderr ?? '').trim().split('\n').slice(-3).join(' ')}`,
    );
  const events = JSON.parse(p.stdout.trim().split('\n').pop()!).events as number;
  const text = readFileSync(out, 'utf8');
  rmSync(out, { force: true });
  const pid = /^pid: (\d+)$/m.exec(text)?.[1];
  const mapFile = `/tmp/perf-${pid}.map`;
  const jit = existsSync(mapFile)
    ? readCodeMap(mapFile, moduleOfLine(readFileSync(bundle, 'utf8')))
    : new CodeMap([], [], []);
  if (existsSync(mapFile)) rmSync(mapFile, { force: true });
  const { total, byName } = attribute(text, jit);
  const top = [...byName.entries()]
    .map(([name, instructions]) => ({ name, instructions }))
    .sort((a, b) => b.instructions - a.instructions)
    .slice(0, topN);
  return { instructions: total, events, top };
}

/**
 * The row for code in no object file and not in V8's map. Earlier profiling traced most of it to
 * the event loop compiled for on-stack replacement, which V8 does not write to the map.
 */
export const UNMAPPED = "JIT code not in V8's map (e.g. on-stack replacement)";

/** JIT code ranges, sorted by start address. */
export class CodeMap {
  constructor(
    readonly starts: number[],
    readonly ends: number[],
    readonly names: string[],
  ) {}

  nameAt(addr: number): string | null {
    let lo = 0;
    let hi = this.starts.length - 1;
    let i = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] <= addr) {
        i = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return i >= 0 && addr < this.ends[i] ? this.names[i] : null;
  }
}

/** For each line of the bundle (0-based), the module it came from (esbuild's `// path` comments). */
function moduleOfLine(bundle: string): (line: number) => string {
  const marks: Array<[number, string]> = [];
  bundle.split('\n').forEach((l, i) => {
    const m = /^\/\/ ((?:sim|node_modules)\/\S+)$/.exec(l);
    if (m) marks.push([i, m[1].replace(/^sim\//, '')]);
  });
  return (line) => {
    let lo = 0;
    let hi = marks.length - 1;
    let found = '';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (marks[mid][0] <= line) {
        found = marks[mid][1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

/** V8's perf map ("start size name" per line, hex): JS functions named "name (module)". */
function readCodeMap(file: string, moduleOf: (line: number) => string): CodeMap {
  const rows: Array<[number, number, string]> = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (!m) continue;
    const start = parseInt(m[1], 16);
    let name = m[3];
    // "JS:*startTx file:///…/bundle.mjs:37484:10" (* optimized, ~ interpreted, ^ baseline).
    const js = /^JS:[*~^+]?(\S*) file:\/\/\S+:(\d+):\d+$/.exec(name);
    if (js) name = `${js[1] || '(anonymous)'} (${moduleOf(Number(js[2]) - 1)})`;
    else name = name.replace(/^Builtin:/, 'V8 builtin ');
    rows.push([start, start + parseInt(m[2], 16), name]);
  }
  rows.sort((a, b) => a[0] - b[0]);
  return new CodeMap(
    rows.map((r) => r[0]),
    rows.map((r) => r[1]),
    rows.map((r) => r[2]),
  );
}

/**
 * Sum callgrind's per-instruction costs (format: "positions: instr line", compressed
 * subpositions) by JIT function where the address is in V8's map, else by callgrind's own
 * function name (native code; V8 code outside the map, e.g. on-stack-replacement code, shows as
 * a hex address and is summed as one row).
 */
export function attribute(text: string, jit: CodeMap): { total: number; byName: Map<string, number> } {
  const byName = new Map<string, number>();
  const fnNames = new Map<string, string>();
  let fn = '';
  let positions = 1;
  let last = 0;
  let skipNext = false;
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    const c = line.charCodeAt(0);
    const isCost = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 42; // digit + - *
    if (!isCost) {
      if (line.startsWith('positions:')) positions = line.split(/\s+/).length - 1;
      else if (line.startsWith('calls=')) skipNext = true;
      else if (line.startsWith('fn=')) {
        const m = /^fn=\((\d+)\)(?: (.*))?$/.exec(line);
        if (m) {
          if (m[2] !== undefined) fnNames.set(m[1], m[2]);
          fn = fnNames.get(m[1]) ?? '?';
        } else fn = line.slice(3);
      }
      continue;
    }
    const parts = line.split(' ');
    const p = parts[0];
    if (p[0] === '+') last += parseInt(p.slice(1), p.startsWith('+0x') ? 16 : 10);
    else if (p[0] === '-') last -= parseInt(p.slice(1), p.startsWith('-0x') ? 16 : 10);
    else if (p !== '*') last = p.startsWith('0x') ? parseInt(p, 16) : Number(p);
    if (skipNext) {
      skipNext = false;
      continue;
    } // the inclusive cost of a call, counted in the callee
    const n = Number(parts[positions] ?? 0);
    total += n;
    const name = jit.nameAt(last) ?? (/^0x[0-9a-f]+$/.test(fn) || fn === '?' ? UNMAPPED : fn);
    byName.set(name, (byName.get(name) ?? 0) + n);
  }
  return { total, byName };
}
