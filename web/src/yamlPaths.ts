/**
 * Between the scenario loader's messages and places in the YAML text, both ways:
 * - a problem line ("topology.leaves: expected …", "scenario:3:7: YAML syntax error: …") → the
 *   character range it is about, from the `yaml` package's node ranges, for the editor's marks;
 * - a cursor offset → the path of keys it is under, for completion and hover docs. Text being
 *   typed is seldom valid YAML, so this one reads indentation and brackets, not a parse.
 * No DOM, no editor: tested in tests/web-editor.test.ts.
 */
import { isMap, isPair, isScalar, isSeq, type Node, type Pair, parseDocument } from 'yaml';

export interface TextRange {
  from: number;
  to: number;
}

/** Line (1-based) and column (1-based) → offset, clamped to the text. */
export function offsetOf(text: string, line: number, col: number): number {
  let off = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', off);
    if (nl < 0) return text.length;
    off = nl + 1;
  }
  const end = text.indexOf('\n', off);
  return Math.min(off + Math.max(0, col - 1), end < 0 ? text.length : end);
}

/** Offset → 1-based line. */
export function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/**
 * The path a problem line names and its message: "a.b.0.c: msg" → (["a","b","0","c"], msg).
 * A compare variant's problem ('compare "uet": a.b: msg') names the base scenario's field.
 */
export function problemPath(line: string): { path: string[]; msg: string } | null {
  const body = line.replace(/^compare "[^"]*": /, '');
  const m = /^([A-Za-z_][\w-]*(?:\.[\w-]+)*|\(top level\)): (.*)$/.exec(body);
  if (!m) return null;
  return { path: m[1] === '(top level)' ? [] : m[1].split('.'), msg: m[2] };
}

const rangeOfNode = (n: Node | null | undefined): TextRange | null =>
  n?.range ? { from: n.range[0], to: Math.max(n.range[0] + 1, n.range[1]) } : null;

/**
 * Where in the text a problem line points: the value at its path (its key, for an unknown or
 * missing field: the deepest key of the path that the text has), or the line and column of a
 * syntax error. Null when the text does not place it (then the editor marks nothing).
 */
export function problemRange(text: string, line: string): TextRange | null {
  const syntax = /^[^:]*:(\d+):(\d+): /.exec(line);
  if (syntax) {
    const from = offsetOf(text, Number(syntax[1]), Number(syntax[2]));
    return { from, to: Math.min(text.length, from + 1) };
  }
  const p = problemPath(line);
  if (!p) return null;
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length) return null;
  // The key, not its value, is what an unknown field's message is about.
  const wantKey = /^unknown field/.test(p.msg);
  let node: unknown = doc.contents;
  let lastKey: TextRange | null = null;
  let lastValue: TextRange | null = rangeOfNode(doc.contents as Node);
  for (let i = 0; i < p.path.length; i++) {
    const seg = p.path[i];
    if (isMap(node)) {
      const pair = node.items.find((it: Pair) => (isScalar(it.key) ? String(it.key.value) : String(it.key)) === seg);
      if (!pair) return lastKey ?? lastValue;
      lastKey = rangeOfNode(pair.key as Node);
      lastValue = rangeOfNode(pair.value as Node) ?? lastKey;
      node = pair.value;
      if (i === p.path.length - 1 && wantKey) return lastKey;
    } else if (isSeq(node) && /^\d+$/.test(seg)) {
      const item = node.items[Number(seg)];
      if (item === undefined) return lastKey ?? lastValue;
      lastValue = rangeOfNode(item as Node) ?? lastValue;
      node = isPair(item) ? item.value : item;
    } else {
      return lastKey ?? lastValue;
    }
  }
  return lastValue ?? lastKey;
}

// ------------------------------------------------------------------ cursor → path

export interface CursorPlace {
  /** Keys from the top; "*" for an item of a list. */
  path: string[];
  /** Typing a key (a field name) or the value after `key:`. */
  mode: 'key' | 'value';
  /** In value mode, the key the value is for (also the last element of path). */
  key?: string;
  /** The word under/before the cursor and where it starts. */
  word: string;
  wordFrom: number;
  /** The `kind:` of the mapping the cursor is in, when the text gives one. */
  kind?: string;
}

const KEY_RE = /^(\s*)(-\s+)?((?:"[^"]*"|'[^']*'|[^\s:#{}[\],'"][^:#{}[\],]*?)):(?:\s+|$)(.*)$/;

interface LineInfo {
  indent: number;
  dash: number;
  /** Column where the line's mapping content starts (after a dash). */
  content: number;
  key?: string;
  keyCol: number;
  rest: string;
}

function lineInfo(line: string): LineInfo | null {
  const t = line.replace(/\s+#.*$/, '');
  if (!t.trim() || /^\s*#/.test(t)) return null;
  const indent = t.length - t.trimStart().length;
  const dashM = /^(\s*)-(\s+|$)/.exec(t);
  const dash = dashM ? indent : -1;
  const content = dashM ? dashM[0].length : indent;
  const m = KEY_RE.exec(t);
  if (m) {
    const key = m[3].replace(/^["']|["']$/g, '').trim();
    return { indent, dash, content, key, keyCol: m[1].length + (m[2]?.length ?? 0), rest: m[4] };
  }
  return { indent, dash, content, keyCol: -1, rest: t.slice(content) };
}

/** Keys of the block mappings above a line whose content starts at column col. */
function blockParents(lines: string[], lineIdx: number, col: number, dashHere: boolean): string[] {
  const path: string[] = [];
  let c = col;
  // After a list item's dash, the list's key may sit at the dash's own column.
  let allowEqual = false;
  if (dashHere) {
    path.unshift('*');
    allowEqual = true;
  }
  for (let i = lineIdx - 1; i >= 0 && (c > 0 || allowEqual); i--) {
    const li = lineInfo(lines[i]);
    if (!li) continue;
    if (
      li.key !== undefined &&
      li.rest.trim() === '' &&
      (li.keyCol < c || (li.keyCol === c && allowEqual && li.dash < 0))
    ) {
      path.unshift(li.key);
      c = li.keyCol;
      allowEqual = false;
      if (li.dash >= 0 && li.dash < c) {
        path.unshift('*');
        c = li.dash;
        allowEqual = true;
      }
      continue;
    }
    if (li.dash >= 0 && li.dash < c) {
      path.unshift('*');
      c = li.dash;
      allowEqual = true;
      continue;
    }
    if (li.indent < c) c = li.indent; // a scalar line above: nothing to add (malformed text)
  }
  return path;
}

/** `kind: X` among the block mapping's lines at column col around line lineIdx. */
function blockKind(lines: string[], lineIdx: number, col: number): string | undefined {
  for (const dir of [-1, 1]) {
    for (let i = lineIdx + (dir === 1 ? 0 : -1); i >= 0 && i < lines.length; i += dir) {
      const li = lineInfo(lines[i]);
      if (!li) continue;
      if (li.key !== undefined && li.keyCol === col && li.key === 'kind') return li.rest.trim().replace(/["']/g, '');
      if (li.content < col || (li.dash >= 0 && li.content === col && i !== lineIdx && dir === 1)) break;
      if (li.dash >= 0 && li.content === col && dir === -1) break;
    }
  }
  return undefined;
}

/** Where the cursor is: the path of keys above it, and whether a key or a value is being typed. */
export function cursorPlace(text: string, offset: number): CursorPlace {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = text.indexOf('\n', offset);
  const lines = text.split('\n');
  const lineIdx = lineOf(text, offset) - 1;
  const prefix = before.slice(lineStart);
  const fullLine = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd);
  const wm = /[\w.-]*$/.exec(prefix)!;
  const word = wm[0];
  const wordFrom = offset - word.length;

  // Flow collections opened on this line before the cursor: { … [ … { …
  const frames: Array<{ key: string; open: number; seq: boolean }> = [];
  let lastKey = '';
  let tokenStart = 0;
  let quote = '';
  for (let i = 0; i < prefix.length; i++) {
    const ch = prefix[i];
    if (quote) {
      if (ch === quote) quote = '';
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#' && (i === 0 || /\s/.test(prefix[i - 1]))) break;
    else if (ch === ':' && (i + 1 === prefix.length || /\s/.test(prefix[i + 1]))) {
      lastKey = prefix
        .slice(tokenStart, i)
        .trim()
        .replace(/^-\s+/, '')
        .replace(/^["']|["']$/g, '');
    } else if (ch === '{' || ch === '[') {
      frames.push({ key: frames.length && frames.at(-1)!.seq ? '*' : lastKey, open: i, seq: ch === '[' });
      lastKey = '';
      tokenStart = i + 1;
    } else if (ch === '}' || ch === ']') {
      frames.pop();
      tokenStart = i + 1;
    } else if (ch === ',') {
      tokenStart = i + 1;
      lastKey = '';
    }
  }
  const li = lineInfo(fullLine);
  const indent = fullLine.length - fullLine.trimStart().length;
  const dashM = /^(\s*)-(\s+)/.exec(fullLine);
  const dashHere = dashM !== null && offset - lineStart >= dashM[0].length;
  const col = dashHere ? dashM![0].length : indent;
  // A new line under `key:` at a deeper indent, or a line being typed: its column.
  const typedCol = frames.length ? col : Math.min(col, prefix.length - prefix.trimStart().length || col);
  const block = blockParents(lines, lineIdx, frames.length ? col : typedCol, dashHere);

  if (frames.length) {
    const fr = frames.at(-1)!;
    const path = [...block];
    // The flow's own key: `topology: { …`.
    const first = frames[0];
    if (li?.key !== undefined && first.key === li.key) path.push(li.key);
    else if (first.key) path.push(first.key);
    for (const f of frames.slice(1)) path.push(f.key || '*');
    if (fr.seq) path.push('*');
    const token = prefix.slice(tokenStart);
    const close = text.indexOf(fr.seq ? ']' : '}', offset);
    const inner = text.slice(lineStart + fr.open + 1, close < 0 ? undefined : close);
    const kind = fr.seq ? undefined : /(?:^|[{,\s])kind:\s*["']?([\w-]+)/.exec(inner)?.[1];
    if (fr.seq) return { path, mode: 'value', key: path.at(-2), word, wordFrom, kind };
    if (/:\s/.test(token) || /:$/.test(token.trimEnd()))
      return { path: [...path, lastKey], mode: 'value', key: lastKey, word, wordFrom, kind };
    return { path, mode: 'key', word, wordFrom, kind };
  }
  const kindCol = dashHere ? col : typedCol;
  const kind = blockKind(lines, lineIdx, kindCol);
  const keyed = /^(\s*)(-\s+)?([^\s:#][^:#]*?):\s+/.exec(prefix);
  if (keyed) {
    const key = keyed[3].replace(/^["']|["']$/g, '');
    return { path: [...block, key], mode: 'value', key, word, wordFrom, kind };
  }
  return { path: block, mode: 'key', word, wordFrom, kind };
}
