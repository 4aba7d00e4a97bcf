/**
 * Per sending host, the flows that may have something to send, which its NIC serves round-robin
 * (both transports' `pull`). One typed array holds every host's list as a segment sized for the
 * flows that host sources (flows are all known when the run starts), so serving a host reads two
 * small per-host arrays and one segment, where per-host JS arrays cost a chain of three dependent
 * loads into scattered heap objects (2–3 % of a 1024-host run, docs/architecture.md#the-hot-path).
 *
 * The order is that of the arrays it replaced: a flow joins at the end, and a flow that leaves
 * is replaced by the last one (results are byte-identical).
 */
export class ActiveFlows {
  /** The segments: host h's flows at flow[start[h] … start[h] + count[h] − 1]. */
  readonly flow: Int32Array;
  readonly start: Int32Array;
  readonly count: Int32Array;
  /** Per host: where its round-robin goes on. */
  readonly next: Int32Array;
  /** Per flow: in its host's list. */
  private readonly listed: Uint8Array;

  constructor(
    private readonly src: Int32Array,
    hosts: number,
  ) {
    this.start = new Int32Array(hosts + 1);
    for (let f = 0; f < src.length; f++) this.start[src[f] + 1]++;
    for (let h = 0; h < hosts; h++) this.start[h + 1] += this.start[h];
    this.flow = new Int32Array(src.length);
    this.count = new Int32Array(hosts);
    this.next = new Int32Array(hosts);
    this.listed = new Uint8Array(src.length);
  }

  /** Put flow f in its host's list (no-op if it is there). */
  add(f: number): void {
    if (this.listed[f] !== 0) return;
    this.listed[f] = 1;
    const h = this.src[f];
    this.flow[this.start[h] + this.count[h]++] = f;
  }

  /** Take the i-th flow out of host h's list; the last one takes its place. */
  removeAt(h: number, i: number): void {
    const s = this.start[h];
    const last = s + --this.count[h];
    this.listed[this.flow[s + i]] = 0;
    this.flow[s + i] = this.flow[last];
  }

  /** Host h's flows (cold path: analysis). */
  flowsOf(h: number): number[] {
    return Array.from(this.flow.subarray(this.start[h], this.start[h] + this.count[h]));
  }
}
