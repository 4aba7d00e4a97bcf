import { bundledCdfs } from './bundledCdfs.ts';
import { InputError } from '../scenario/inputError.ts';

/**
 * A flow-size CDF: points (sizeBytes, cumulative percent), both non-decreasing, the last at
 * 100 %. Sampling and the mean follow HPCC's traffic_gen/custom_rand.py (physics.md §5.5):
 * linear interpolation between points.
 */
export interface Cdf {
  /** Bundled name or the path it was read from. */
  source: string;
  sizes: Float64Array;
  percents: Float64Array;
}

/** Names accepted by `loadCdf` without file access. */
export const BUNDLED_CDF_NAMES: readonly string[] = Object.keys(bundledCdfs);

/** A path or name as it appears in a message: at most 80 characters (a 1 MB path is not echoed whole). */
function clipName(s: string): string {
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}

/** The largest CDF file read (1 MiB: the bundled ones are under 1 KB). */
const MAX_CDF_BYTES = 1024 * 1024;

const CDF_FORMAT =
  'a CDF file has one "<size in bytes> <cumulative percent>" pair per line, both non-decreasing, the last at 100';

/**
 * Parses `<bytes> <cumulative percent>` lines (blank lines and `#` comments ignored). An error
 * names the line number and what the line should hold, never the line itself: a path that is
 * not a CDF (a password file, say) must not have its content printed.
 */
export function parseCdf(text: string, source = 'cdf'): Cdf {
  source = clipName(source);
  if (text.length > MAX_CDF_BYTES)
    throw new InputError(`${source}: the file is larger than ${MAX_CDF_BYTES / 1024 / 1024} MiB; ${CDF_FORMAT}`);
  const sizes: number[] = [];
  const percents: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/#.*/, '').trim();
    if (line === '') continue;
    const where = `${source}:${i + 1}`;
    const parts = line.split(/\s+/);
    const x = Number(parts[0]);
    const y = Number(parts[1]);
    if (parts.length !== 2 || !Number.isFinite(x) || !Number.isFinite(y)) {
      throw new InputError(`${where}: not a CDF line; ${CDF_FORMAT}`);
    }
    if (x < 0) throw new InputError(`${where}: size ${x} is negative`);
    if (y < 0 || y > 100) throw new InputError(`${where}: percent ${y} is outside [0, 100]`);
    if (sizes.length > 0 && (x < sizes[sizes.length - 1] || y < percents[percents.length - 1])) {
      throw new InputError(`${where}: sizes and percents must not decrease`);
    }
    sizes.push(x);
    percents.push(y);
  }
  if (sizes.length < 2) throw new InputError(`${source}: a CDF needs at least 2 points, got ${sizes.length}`);
  if (percents[percents.length - 1] !== 100) {
    throw new InputError(`${source}: the last point must be at 100 %, got ${percents[percents.length - 1]}`);
  }
  return { source, sizes: Float64Array.from(sizes), percents: Float64Array.from(percents) };
}

/**
 * A bundled CDF by name (websearch, fb_hadoop, alistorage2019, googlerpc2008), otherwise a
 * file path read with `readText`.
 */
export function loadCdf(nameOrPath: string, readText?: (path: string) => string, where = 'cdf'): Cdf {
  if (Object.hasOwn(bundledCdfs, nameOrPath)) return parseCdf(bundledCdfs[nameOrPath], nameOrPath);
  if (!readText) {
    throw new InputError(
      `${where}: "${nameOrPath}" is not a bundled CDF (${BUNDLED_CDF_NAMES.join(', ')}) and files cannot be read here`,
    );
  }
  let text: string;
  try {
    text = readText(nameOrPath);
  } catch (e) {
    // A bare name is most likely a misspelt bundled one: name those.
    const bare = !/[/\\.]/.test(nameOrPath);
    throw new InputError(
      bare
        ? `${where}: "${clipName(nameOrPath)}" is not a bundled CDF (${BUNDLED_CDF_NAMES.join(', ')}) nor a file that can be read`
        : `${where}: cannot read CDF file "${clipName(nameOrPath)}": ${clipName((e as Error).message)}`,
    );
  }
  return parseCdf(text, nameOrPath);
}

/**
 * Inverse CDF at percentile y ∈ [0, 100] with linear interpolation between points (HPCC
 * custom_rand.getValueFromPercentile). Below the first point's percent: the first size.
 */
export function cdfValueAt(cdf: Cdf, y: number): number {
  const { sizes: x, percents: p } = cdf;
  if (y <= p[0]) return x[0];
  for (let i = 1; i < x.length; i++) {
    if (y <= p[i]) {
      const dy = p[i] - p[i - 1];
      return dy === 0 ? x[i] : x[i - 1] + ((x[i] - x[i - 1]) / dy) * (y - p[i - 1]);
    }
  }
  return x[x.length - 1];
}

/** One flow size from a uniform draw u ∈ [0, 1): truncated to an integer, at least 1 byte. */
export function sampleCdf(cdf: Cdf, u: number): number {
  const size = Math.trunc(cdfValueAt(cdf, u * 100));
  return size <= 0 ? 1 : size;
}

/**
 * Mean flow size in bytes as HPCC custom_rand.getAvg computes it: Σ (x_{i-1} + x_i)/2 · Δp / 100
 * (the mass below the first point, if any, is taken at the first size). Accepts a bundled name.
 */
export function cdfMean(cdf: Cdf | string): number {
  const c = typeof cdf === 'string' ? loadCdf(cdf) : cdf;
  const { sizes: x, percents: p } = c;
  let s = x[0] * p[0];
  for (let i = 1; i < x.length; i++) s += ((x[i] + x[i - 1]) / 2) * (p[i] - p[i - 1]);
  return s / 100;
}
