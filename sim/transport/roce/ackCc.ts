/**
 * What the RoCE transport asks of a congestion control driven by ACKs (HPCC, TIMELY, DCTCP;
 * docs/reference/cc-family.md): a sending rate per flow (the NIC's rate limiter), optionally a
 * window in bytes in flight, and a reaction to each ACK. DCQCN, driven by CNPs and timers, has
 * its own class (dcqcn.ts).
 */
export interface AckCc {
  /** The rate limiter's rate per flow (b/s). */
  readonly rateBps: Float64Array;
  /** Bytes a flow may have in flight, or null for rate control alone. */
  readonly windowBytes: Float64Array | null;
  /** Extra bytes a data packet carries for this scheme (INT block, timestamp). */
  readonly dataExtraBytes: number;
  /** Extra bytes an ACK carries (the echoed INT block). */
  readonly ackExtraBytes: number;
  /** A flow starts, at its NIC's line rate (no slow start in any of these schemes). */
  start(f: number, lineBps: number): void;
  /**
   * An ACK for flow f arrived: `ack` is its cumulative PSN, `sndNxt` the sender's next PSN,
   * `pkt` the ACK itself (its INT records, echoed send time or echoed marks).
   */
  onAck(f: number, pkt: number, ack: number, sndNxt: number): void;
  /** Sampled control state for flow traces (cold path). */
  trace(f: number): Record<string, number>;
}
