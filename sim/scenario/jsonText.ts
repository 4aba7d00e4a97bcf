/**
 * A scenario written as JSON, read without the YAML parser when that gives the same object.
 *
 * JSON is YAML (1.2), so the YAML parser reads a JSON scenario too, and it is what reports a
 * duplicate key or a syntax error with its line and column (load.ts parseYamlObject). But it
 * builds a syntax tree of the whole text first: a generated scenario of 20,000 explicit flows
 * (1.1 MB of JSON) took 1.0 s of parsing and 0.4 s of garbage collection there, against 9 ms
 * for the engine's own JSON.parse and 15 ms for the duplicate-key pass below (cold, in a fresh
 * process). So JSON.parse goes first, and its object is kept
 * only when the text has no duplicate key (JSON.parse keeps the last one silently, where YAML
 * refuses the file); anything else — not JSON, a syntax error, a duplicate — goes to the YAML
 * parser as before, with its messages.
 */

/** The object of a JSON text whose top level is an object and whose keys are unique, else null. */
export function parseJsonObject(text: string): Record<string, unknown> | null {
  let i = 0;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== 0x7b /* { */) return null;
  // Text that starts with "{" and parses is an object.
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
  return hasDuplicateKey(text) ? null : value;
}

/** JSON's whitespace (space, tab, line feed, carriage return). */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/**
 * Whether an object of `text` — valid JSON, which JSON.parse has accepted — names a key twice.
 * One pass: a set of keys per open object (null for an array); a string is a key when the next
 * character that is not whitespace is a colon.
 */
export function hasDuplicateKey(text: string): boolean {
  const open: Array<Set<string> | null> = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      // (j < n: only an unterminated string, which JSON.parse refuses, reaches the end.)
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 0x22) break;
        if (d === 0x5c /* \ */) {
          escaped = true;
          j += 2;
        } else j++;
      }
      const keys = open.length > 0 ? open[open.length - 1] : null;
      if (keys !== null) {
        let k = j + 1;
        while (isSpace(text.charCodeAt(k))) k++;
        if (text.charCodeAt(k) === 0x3a /* : */) {
          // An escaped key is compared as JSON reads it ("\u0061" is "a").
          const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
          if (keys.has(key)) return true;
          keys.add(key);
        }
      }
      i = j + 1;
      continue;
    }
    if (c === 0x7b /* { */) open.push(new Set());
    else if (c === 0x5b /* [ */) open.push(null);
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) open.pop();
    i++;
  }
  return false;
}
