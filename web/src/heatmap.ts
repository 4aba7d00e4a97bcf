/**
 * Fabric-wide heatmaps: one row per port (or per flow), one column per replay-tape sample, so
 * thousands of ports × hundreds of samples fit one canvas. When there are more rows than pixel
 * rows, each pixel row shows the worst (largest) value of the rows it stands for, so a hot port
 * is never averaged away. Pure layout and aggregation here (tests/web-fabric.test.ts); drawing
 * is one ImageData.
 */
export interface HeatGrid {
  /** Column times (µs), ascending. */
  tUs: number[];
  /** Row labels, in display order. */
  rows: string[];
  /** values[row][col] */
  values: ArrayLike<number>[];
}

/** Row order: by group (tier, pod: the caller's key), or worst first (largest maximum). */
export function orderRows(keys: string[], values: ArrayLike<number>[], worstFirst: boolean): number[] {
  const idx = keys.map((_, i) => i);
  if (worstFirst) {
    const max = values.map((v) => {
      let m = 0;
      for (let i = 0; i < v.length; i++) if (v[i] > m) m = v[i];
      return m;
    });
    idx.sort((a, b) => max[b] - max[a] || a - b);
  } else idx.sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b));
  return idx;
}

/**
 * Bin `n` rows into at most `pixels` bands: band b covers rows [start[b], start[b + 1]).
 * Every band gets ⌊n/pixels⌋ or ⌈n/pixels⌉ rows.
 */
export function bands(n: number, pixels: number): Int32Array {
  const k = Math.max(1, Math.min(n, pixels));
  const start = new Int32Array(k + 1);
  for (let b = 0; b <= k; b++) start[b] = Math.floor((b * n) / k);
  return start;
}

/** The worst value of each band at each column: bands × cols, row-major. */
export function bandMax(grid: HeatGrid, start: Int32Array): Float32Array {
  const cols = grid.tUs.length;
  const k = start.length - 1;
  const out = new Float32Array(k * cols);
  for (let b = 0; b < k; b++)
    for (let r = start[b]; r < start[b + 1]; r++) {
      const v = grid.values[r];
      for (let c = 0; c < cols; c++) if (v[c] > out[b * cols + c]) out[b * cols + c] = v[c];
    }
  return out;
}

/**
 * A grid binned for drawing: band b covers display rows [bands[b], bands[b + 1]), and
 * bandValues holds each band's worst value per column (bands × cols, row-major). valueAt reads
 * one cell (the hover). Port heatmaps build it straight from the replay tape (portHeat.ts).
 */
export interface BandedGrid {
  tUs: number[];
  rows: string[];
  bands: Int32Array;
  bandValues: Float32Array;
  valueAt(row: number, col: number): number;
}

/** The device-pixel rows a heatmap canvas has: at most one band each. */
export function heatPixels(canvas: HTMLCanvasElement): number {
  return Math.max(1, Math.round(canvas.clientHeight * (window.devicePixelRatio || 1)));
}

export function banded(grid: HeatGrid, pixels: number): BandedGrid {
  const start = bands(grid.rows.length, pixels);
  return {
    tUs: grid.tUs,
    rows: grid.rows,
    bands: start,
    bandValues: grid.tUs.length && grid.rows.length ? bandMax(grid, start) : new Float32Array(0),
    valueAt: (r, c) => grid.values[r][c],
  };
}

/** Draw a banded grid into a canvas of its CSS size (device pixels). */
export function drawBanded(
  canvas: HTMLCanvasElement,
  b: BandedGrid,
  color: (v: number) => [number, number, number],
): void {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(canvas.clientWidth * dpr));
  const h = Math.max(1, Math.round(canvas.clientHeight * dpr));
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, w, h);
  const cols = b.tUs.length;
  if (!cols || !b.rows.length) return;
  const k = b.bands.length - 1;
  const m = b.bandValues;
  const img = ctx.createImageData(cols, k);
  for (let i = 0; i < k * cols; i++) {
    const [r, g, bl] = color(m[i]);
    const o = 4 * i;
    img.data[o] = r;
    img.data[o + 1] = g;
    img.data[o + 2] = bl;
    img.data[o + 3] = 255;
  }
  // Scale the cells×bands image up to the canvas without smoothing: sharp cells.
  const off = document.createElement('canvas');
  off.width = cols;
  off.height = k;
  off.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, 0, 0, w, h);
}

/** Draw the grid into a canvas of its CSS size (device pixels). Returns the bands drawn. */
export function drawHeatmap(
  canvas: HTMLCanvasElement,
  grid: HeatGrid,
  color: (v: number) => [number, number, number],
): Int32Array {
  const b = banded(grid, heatPixels(canvas));
  drawBanded(canvas, b, color);
  return b.bands;
}
