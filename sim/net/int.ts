/**
 * In-band network telemetry (INT) for HPCC (docs/reference/cc-family.md §1.1): each switch egress
 * a data packet leaves appends one record — the port, the time, the bytes the port has sent so
 * far and the bytes queued at it — and the receiver copies the records into its ACK.
 *
 * The packet record (packets.ts) has no room for up to five hop records, so they live in this
 * side table indexed by packet slot, created only when a run uses HPCC: with any other
 * congestion control the fabric holds null and pays one null check per switch dequeue.
 */

/** Records per packet: HPCC's ns-3 IntHeader::maxHop (cc-family.md §1.1), enough for a 3-tier fat tree. */
export const INT_MAX_HOPS = 5;

/** Wire bytes of the INT block a data packet carries: 5 × 8-byte hop records + a 2-byte hop
 *  count, always present whatever the hop count (ns-3 IntHeader::GetStaticSize, cc-family.md §1.1). */
export const INT_HEADER_BYTES = 42;

/** Float64 cells of one hop record. */
const enum H {
  PORT = 0,
  TS_PS = 1,
  TX_BYTES = 2,
  QLEN_BYTES = 3,
  STRIDE = 4,
}

const PKT_STRIDE = INT_MAX_HOPS * H.STRIDE;

export class IntTable {
  private hops: Uint8Array;
  private rec: Float64Array;

  constructor(capacity = 8192) {
    this.hops = new Uint8Array(capacity);
    this.rec = new Float64Array(capacity * PKT_STRIDE);
  }

  private ensure(pkt: number): void {
    if (pkt < this.hops.length) return;
    let cap = this.hops.length * 2;
    while (cap <= pkt) cap *= 2;
    const hops = new Uint8Array(cap);
    hops.set(this.hops);
    const rec = new Float64Array(cap * PKT_STRIDE);
    rec.set(this.rec);
    this.hops = hops;
    this.rec = rec;
  }

  /** A fresh packet carries an empty INT block. */
  clear(pkt: number): void {
    this.ensure(pkt);
    this.hops[pkt] = 0;
  }

  /** Switch egress: append this port's state (beyond INT_MAX_HOPS the packet carries no more). */
  push(pkt: number, port: number, tsPs: number, txBytes: number, qlenBytes: number): void {
    this.ensure(pkt);
    const n = this.hops[pkt];
    if (n >= INT_MAX_HOPS) return;
    const b = pkt * PKT_STRIDE + n * H.STRIDE;
    this.rec[b + H.PORT] = port;
    this.rec[b + H.TS_PS] = tsPs;
    this.rec[b + H.TX_BYTES] = txBytes;
    this.rec[b + H.QLEN_BYTES] = qlenBytes;
    this.hops[pkt] = n + 1;
  }

  /** Receiver: the ACK echoes the data packet's block. */
  copy(from: number, to: number): void {
    this.ensure(Math.max(from, to));
    const n = this.hops[from];
    this.hops[to] = n;
    const s = from * PKT_STRIDE;
    const d = to * PKT_STRIDE;
    for (let i = 0; i < n * H.STRIDE; i++) this.rec[d + i] = this.rec[s + i];
  }

  hopCount(pkt: number): number {
    return pkt < this.hops.length ? this.hops[pkt] : 0;
  }

  port(pkt: number, hop: number): number {
    return this.rec[pkt * PKT_STRIDE + hop * H.STRIDE + H.PORT];
  }

  tsPs(pkt: number, hop: number): number {
    return this.rec[pkt * PKT_STRIDE + hop * H.STRIDE + H.TS_PS];
  }

  txBytes(pkt: number, hop: number): number {
    return this.rec[pkt * PKT_STRIDE + hop * H.STRIDE + H.TX_BYTES];
  }

  qlenBytes(pkt: number, hop: number): number {
    return this.rec[pkt * PKT_STRIDE + hop * H.STRIDE + H.QLEN_BYTES];
  }
}
