/** A run's event counters: what the fabric and the transports count as packets move (result.counters). */
export interface Counters {
  packetsSent: number;
  packetsDelivered: number;
  bytesDelivered: number;
  /** Packets dropped by switches (buffer full), trimmed headers among them (headerDrops). */
  drops: number;
  /** Of `drops`, those in a lossless (PFC-protected) class: a lossless class should never drop,
   *  so any is flagged in the result's notes (headroom too small, or PFC defeated). */
  losslessDrops: number;
  /** Of `drops`, trimmed headers (already counted in `trims` when they were cut). */
  headerDrops: number;
  /** Data packets a receiver threw away (out of order under go-back-N, or duplicates). */
  discards: number;
  ecnMarks: number;
  pauseFrames: number;
  resumeFrames: number;
  pausedTimePs: number;
  naks: number;
  retransmits: number;
  timeouts: number;
  cnps: number;
  trims: number;
  acks: number;
}
