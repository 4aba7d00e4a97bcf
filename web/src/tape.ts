/**
 * The page's side of the replay tape (web/src/liveRun.ts takes the samples): samples kept in
 * time order, thinned as the worker's interval doubles so memory stays bounded, and read back
 * per port for the topology's hover plot.
 */
import type { Snapshot } from './snapshot.ts';
import type { PortHistory } from './topologyView.ts';

export interface TapeSample extends Snapshot {
  /** Paused data ports (counted once, when the sample arrives). */
  pausedN: number;
}

/**
 * Add a tape sample. When the worker's tape interval has doubled (it had TAPE_MAX samples), the
 * samples off the new grid go, each merged into the next one kept: utilisation is averaged (the
 * two windows are equally long, so the mean is the kept sample's utilisation over both).
 */
export function addTape(tape: TapeSample[], s: Snapshot): void {
  const last = tape[tape.length - 1];
  if (last && s.tapeDtPs > last.tapeDtPs) {
    const dt = s.tapeDtPs;
    let j = 0;
    for (let i = 0; i < tape.length; i++) {
      const t = tape[i];
      if (t.simTimePs % dt !== 0) continue;
      const prev = tape[i - 1];
      if (prev && prev.simTimePs % dt !== 0 && t.simTimePs - prev.simTimePs === t.tapeDtPs) {
        for (let p = 0; p < t.util.length; p++) t.util[p] = (t.util[p] + prev.util[p]) / 2;
        t.intervalPs += prev.intervalPs;
      }
      t.tapeDtPs = dt;
      tape[j++] = t;
    }
    tape.length = j;
  }
  let n = 0;
  for (let p = 0; p < s.portCount; p++) if ((s.paused[p] & 0x3f) !== 0) n++;
  const ts = s as TapeSample;
  ts.pausedN = n;
  if (last && last.simTimePs === s.simTimePs) tape[tape.length - 1] = ts;
  else tape.push(ts);
}

/** A set of ports' recorded queue and utilisation (worst or mean over them), for the hover plot. */
export function portHistory(tape: TapeSample[], ports: number[], mode: 'worst' | 'mean'): PortHistory | null {
  if (tape.length < 2 || !ports.length) return null;
  const h: PortHistory = { tUs: [], util: [], queueBytes: [] };
  for (const s of tape) {
    let u = 0;
    let q = 0;
    for (const p of ports) {
      if (mode === 'worst') {
        u = Math.max(u, s.util[p]);
        q = Math.max(q, s.queueBytes[p]);
      } else {
        u += s.util[p] / ports.length;
        q += s.queueBytes[p] / ports.length;
      }
    }
    h.tUs.push(s.simTimePs / 1e6);
    h.util.push(u);
    h.queueBytes.push(q);
  }
  return h;
}
