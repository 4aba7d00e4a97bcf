/**
 * Paces an expensive panel's redraws during a live run. A software-rastered canvas of thousands
 * of lanes costs the main thread most where a profile shows no script: in the frame's commit,
 * after the script returns. So the cost is measured as the frame a redraw happened in, from its
 * animation-frame timestamp to the next one, less one display refresh; the next redraw then
 * waits `ratio` times that (at least `minGapMs`), which leaves the main thread free for the
 * other frames and for input (Pause) most of the time, whatever the machine's speed.
 */
export class Pacer {
  private last = Number.NEGATIVE_INFINITY;
  private costMs = 0;
  private drewAt = -1;

  constructor(
    private readonly minGapMs = 33,
    private readonly ratio = 3,
    private readonly refreshMs = 1000 / 60,
  ) {}

  /** Call first in every animation frame, with its timestamp. */
  frame(now: number): void {
    if (this.drewAt < 0) return;
    this.costMs = Math.max(0, now - this.drewAt - this.refreshMs);
    this.drewAt = -1;
  }

  /** Whether a redraw may happen in this frame. */
  due(now: number): boolean {
    return now - this.last >= Math.max(this.minGapMs, this.ratio * this.costMs);
  }

  /** A redraw happened in the frame of `now`. */
  drew(now: number): void {
    this.last = now;
    this.drewAt = now;
  }

  /** The gap the next redraw waits for (ms), for the record. */
  get gapMs(): number {
    return Math.max(this.minGapMs, this.ratio * this.costMs);
  }
}
