import type { Scenario } from './schema.ts';

/**
 * A stable identity for a scenario's physics: FNV-1a 64 over canonical (sorted-key) JSON of the
 * validated scenario, leaving out every field that does not change what is simulated. So a
 * regression baseline recorded with one seed can be checked against runs with other seeds, and
 * turning a queue sampler on does not orphan a baseline. Pure JS: works in browsers.
 *
 * PHYSICS (hashed): topology, links, switch, transport, workload, stop — what the packets do.
 * LEFT OUT:
 *   - naming: `name`, `description`; the run's draw: `seed`; expansions: `compare`, `sweep`;
 *   - execution: `engine` (a partitioned run is checked against the unpartitioned baselines);
 *   - observation: `metrics` (queue and flow sampling, the latency histogram, the congestion and
 *     deadlock analysis). They watch and never change a packet's fate; a deadlock found by the
 *     analysis ends a run that would otherwise stall, after the same events.
 * A NEW FIELD is physics unless it only names, draws, executes or observes: then add its
 * top-level block here (or, for a field inside a physics block, strip it in `physicsOf`), and
 * say so in docs/reference — a field left out of the hash must never change a result's events.
 */
export const HASH_EXCLUDED_FIELDS = ['seed', 'name', 'description', 'compare', 'sweep', 'engine', 'metrics'] as const;

export function scenarioHash(s: Scenario): string {
  const copy: Record<string, unknown> = { ...(s as Record<string, unknown>) };
  for (const k of HASH_EXCLUDED_FIELDS) delete copy[k];
  return fnv1a64Hex(canonicalJson(copy));
}

/** JSON with object keys sorted at every level; `undefined` members are left out as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** FNV-1a 64-bit over the UTF-8 bytes of `text`, as 16 lowercase hex digits. */
export function fnv1a64Hex(text: string): string {
  const bytes = new TextEncoder().encode(text);
  // 64-bit state as four 16-bit limbs (little-endian) so every product stays exact in a double.
  let h0 = 0x2325,
    h1 = 0x8422,
    h2 = 0x9ce4,
    h3 = 0xcbf2; // offset basis 0xcbf29ce484222325
  for (let i = 0; i < bytes.length; i++) {
    h0 ^= bytes[i];
    // multiply by the FNV prime 0x00000100000001b3 = 2^40 + 0x1b3
    const a0 = h0 * 0x1b3,
      a1 = h1 * 0x1b3,
      a2 = h2 * 0x1b3,
      a3 = h3 * 0x1b3;
    // 2^40 = limb 2 shifted left by 8 bits: h0 << 8 lands in limb 2, h1 << 8 in limb 3.
    let c = a0;
    const n0 = c & 0xffff;
    c = Math.floor(c / 0x10000) + a1;
    const n1 = c & 0xffff;
    c = Math.floor(c / 0x10000) + a2 + h0 * 0x100;
    const n2 = c & 0xffff;
    c = Math.floor(c / 0x10000) + a3 + h1 * 0x100;
    const n3 = c & 0xffff;
    h0 = n0;
    h1 = n1;
    h2 = n2;
    h3 = n3;
  }
  const hex = (n: number) => n.toString(16).padStart(4, '0');
  return hex(h3) + hex(h2) + hex(h1) + hex(h0);
}
