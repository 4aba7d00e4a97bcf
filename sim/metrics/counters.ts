/** A run's event counters: what the fabric and the transports count as packets move (result.counters). */
export interface Counters {
  packetsSent: number;
  packetsDelivered: number;
  bytesDelivered: number;
  /** Packets dropped by switches (buffer full). */
  drops: number;
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
