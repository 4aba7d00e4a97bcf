import { z } from 'zod';
import { ChakraItemSchema, CollectiveItemSchema, JobItemSchema } from './jobsSchema.ts';

/**
 * The scenario schema: the one source of truth for the scenario file's types, defaults,
 * validation and the exported JSON Schema (docs/scenarios.md).
 * Units are in the field names: rateGbps, delayNs, sizeBytes, timeUs.
 */

const posInt = (what = 'a positive integer') =>
  z
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what}` })
    .positive({ error: `expected ${what}` });
const nonNegInt = (what = 'an integer ≥ 0') =>
  z
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what}` })
    .nonnegative({ error: `expected ${what}` });
const nonNeg = (what = 'a number ≥ 0') =>
  z.number({ error: `expected ${what}` }).nonnegative({ error: `expected ${what}` });
const positive = (what = 'a number > 0') =>
  z.number({ error: `expected ${what}` }).positive({ error: `expected ${what}` });
const fraction = (what = 'a number in [0, 1]') =>
  z
    .number({ error: `expected ${what}` })
    .min(0, { error: `expected ${what}` })
    .max(1, { error: `expected ${what}` });

/** A propagation delay: at most 1 s, so that times stay exact integers of picoseconds (doubles are exact to 2^53 ps ≈ 2.5 h). */
const delayNs = () =>
  nonNeg('a propagation delay in ns from 0 to 1000000000 (1 s)').max(1e9, {
    error: 'expected a propagation delay in ns from 0 to 1000000000 (1 s)',
  });

/** Host links: each field defaults on its own (400 G, 1 µs), in a file as with --set. */
export const LinkSchema = z.strictObject({
  rateGbps: positive('a link rate in Gb/s > 0').default(400),
  delayNs: delayNs().default(1000),
});
/** Switch links: a field left out is the tier below's (fabric: host's; core: fabric's). */
const TierLinkSchema = z.strictObject({
  rateGbps: positive('a link rate in Gb/s > 0').optional(),
  delayNs: delayNs().optional(),
});

// ---------------------------------------------------------------- topology
const StarSchema = z.strictObject({
  kind: z.literal('star'),
  hosts: z.number().int().min(2, { error: 'expected an integer ≥ 2' }),
});
const DumbbellSchema = z.strictObject({
  kind: z.literal('dumbbell'),
  /** Hosts on each side; left hosts are 0..n-1, right hosts n..2n-1. links.fabric is the bottleneck. */
  hostsPerSide: posInt(),
});
/** Oversubscription of the first switch tier (docs/fabric-shapes.md): R means R:1, 1 non-blocking. */
const oversubscription = () =>
  z.number({ error: 'expected a ratio ≥ 1 (4 means 4:1)' }).min(1, { error: 'expected a ratio ≥ 1 (4 means 4:1)' });
/** How the ratio is built: 'uplinks' (default): fewer uplinks at the fabric rate; 'rate': slower uplinks. */
const oversubscribeBy = () => z.enum(['uplinks', 'rate'], { error: 'expected one of: uplinks, rate' }).optional();
/** Parallel copies of the fabric, one NIC port per plane per host (docs/fabric-shapes.md "Planes"; uet-htsim: 1–8). */
const planes = () =>
  z
    .number({ error: 'expected a number of planes from 1 to 8' })
    .int({ error: 'expected a number of planes from 1 to 8' })
    .min(1, { error: 'expected a number of planes from 1 to 8' })
    .max(8, { error: 'expected a number of planes from 1 to 8' })
    .optional();
const LeafSpineSchema = z.strictObject({
  kind: z.literal('leafSpine'),
  leaves: z.number().int().min(2, { error: 'expected an integer ≥ 2' }),
  /** Required unless `oversubscription` with `oversubscribeBy: uplinks` derives it. */
  spines: posInt().optional(),
  hostsPerLeaf: posInt(),
  // Optional rather than defaulted (here and below), so that scenarios without them keep their hash.
  oversubscription: oversubscription().optional(),
  oversubscribeBy: oversubscribeBy(),
  planes: planes(),
});
const FatTreeSchema = z.strictObject({
  kind: z.literal('fatTree'),
  k: z
    .number({ error: 'expected an even integer ≥ 2' })
    .int({ error: 'expected an even integer ≥ 2' })
    .min(2, { error: 'expected an even integer ≥ 2' })
    .refine((k) => k % 2 === 0, { error: 'expected an even integer ≥ 2' }),
  /** Hosts per edge switch; default k/2 (full bisection). Fewer trims the host count, e.g. 1024 hosts from k=16. */
  hostsPerEdge: posInt().optional(),
  /** Edge-tier oversubscription: 'uplinks' derives hostsPerEdge, 'rate' slows the edge–aggregation links. */
  oversubscription: oversubscription().optional(),
  oversubscribeBy: oversubscribeBy(),
  planes: planes(),
});
const RingSchema = z.strictObject({
  kind: z.literal('ring'),
  switches: z.number().int().min(3, { error: 'expected an integer ≥ 3' }),
  hostsPerSwitch: posInt(),
  /** Route every flow clockwise (lower switch index → higher, wrapping) instead of by shortest path;
   *  this is how a cyclic buffer dependency (and so a PFC deadlock) is built on purpose. */
  clockwise: z.boolean().default(false),
});
export const TopologySchema = z.discriminatedUnion(
  'kind',
  [StarSchema, DumbbellSchema, LeafSpineSchema, FatTreeSchema, RingSchema],
  {
    error: 'expected topology.kind to be one of: star, dumbbell, leafSpine, fatTree, ring',
  },
);

export const LinksSchema = z
  .strictObject({
    /** Host ↔ first switch. */
    host: LinkSchema.default({ rateGbps: 400, delayNs: 1000 }),
    /** Switch ↔ switch (leaf–spine, edge–aggregation, dumbbell bottleneck, ring). Default: as host. */
    fabric: TierLinkSchema.optional(),
    /** Aggregation ↔ core in a fat-tree. Default: as fabric. */
    core: TierLinkSchema.optional(),
  })
  .default({ host: { rateGbps: 400, delayNs: 1000 } });

// ---------------------------------------------------------------- switch
const auto = z.literal('auto');
export const SwitchSchema = z
  .strictObject({
    /** Fixed forwarding latency per switch (cut from the arrival time). */
    latencyNs: nonNeg().default(0),
    /** Shared buffer per switch. HPCC ns-3: 32 MB at 100 G NICs (physics.md §1.2). At most 2 GB:
     *  queue and buffer counters are 32-bit integers (real switch buffers are tens of MB). */
    bufferBytes: posInt('a positive integer ≤ 2000000000')
      .max(2_000_000_000, { error: 'expected a positive integer ≤ 2000000000' })
      .default(32_000_000),
    pfc: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** Priorities that are lossless (PFC-protected). */
        priorities: z.array(z.number().int().min(0).max(5)).default([3]),
        /** Dynamic-threshold α; 'auto' = HPCC rule: 1/8 at NIC speed, doubled per doubling of port speed. */
        alpha: z.union([positive(), auto]).default('auto'),
        /** Headroom per (ingress port, lossless priority); 'auto' = HPCC rule 3 × rate × delay / 8 (§1.2). */
        headroomBytes: z
          .union([
            nonNegInt('an integer in [0, 2000000000]').max(2_000_000_000, {
              error: 'expected an integer in [0, 2000000000]',
            }),
            auto,
          ])
          .default('auto'),
        /** Guaranteed bytes per (port, priority) before the shared pool (HPCC 4 KiB). */
        reserveBytes: nonNegInt('an integer in [0, 2000000000]')
          .max(2_000_000_000, { error: 'expected an integer in [0, 2000000000]' })
          .default(4096),
        /** XON hysteresis (HPCC 3 KiB). */
        resumeOffsetBytes: nonNegInt().default(3072),
        /**
         * Static PFC thresholds per (ingress port, lossless priority) instead of the dynamic α one
         * (SAI `xoff`/`xon` profiles; htsim's 15/12-packet input queues; docs/reference/fabric-realism.md §1): PAUSE when
         * the ingress holds xoffBytes (reserve + shared), RESUME once it holds at most xonBytes and
         * its headroom is empty. Headroom above xoff stays as headroomBytes computes it.
         */
        xoffBytes: posInt('a positive integer ≤ 2000000000')
          .max(2_000_000_000, { error: 'expected a positive integer ≤ 2000000000' })
          .optional(),
        /** RESUME threshold with xoffBytes; default xoffBytes − resumeOffsetBytes (SAI xon_offset). */
        xonBytes: nonNegInt('an integer in [0, 2000000000]')
          .max(2_000_000_000, { error: 'expected an integer in [0, 2000000000]' })
          .optional(),
      })
      .prefault({}),
    ecn: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** RED Kmin; 'auto' = HPCC run.py rule 100 KB × rate/25 G (§2.2c). */
        kminBytes: z.union([nonNegInt(), auto]).default('auto'),
        /** RED Kmax; 'auto' = 400 KB × rate/25 G. */
        kmaxBytes: z.union([nonNegInt(), auto]).default('auto'),
        /** RED's marking probability at Kmax: 0.2 (HPCC) by default, 1 for UET (htsim, §4.5; filled in by load.ts). */
        pmax: fraction().default(0.2),
        /** Mark when the packet leaves (HPCC default) or when it is queued. */
        mode: z.enum(['dequeue', 'enqueue'], { error: 'expected one of: dequeue, enqueue' }).default('dequeue'),
      })
      .prefault({}),
    lossy: z
      .strictObject({
        /** Dynamic threshold for lossy egress queues: cap = alpha × free shared buffer. */
        alpha: positive().default(1),
        /** Optional static cap per egress queue (e.g. 5 × BDP for UET without trimming). */
        queueCapBytes: z.union([posInt(), auto]).optional(),
      })
      .prefault({}),
    trimming: z
      .strictObject({
        enabled: z.boolean().default(false),
        /** Trim a trimmable packet that would grow its queue past this; 'auto' = 1 × plane BDP (§4.6). */
        thresholdBytes: z.union([posInt(), auto]).default('auto'),
        /** Size of a trimmed packet on the wire (htsim 64 B, §4.5). */
        headerBytes: posInt().default(64),
      })
      .prefault({}),
  })
  .prefault({});

// ---------------------------------------------------------------- routing
/**
 * How switches pick among equal-cost next hops (docs/reference/fabric-realism.md §2): 'ecmp'
 * hashes (flow, entropy); 'adaptive' sends each data packet to the least-loaded member (queue
 * depth, as htsim's per-packet ADAPTIVE_ROUTING); 'flowlet' keeps a flow on its port until it
 * pauses longer than flowletGapUs, then re-picks the least-loaded one. Optional as a block, so
 * scenarios that leave it out keep their hash.
 */
export const RoutingSchema = z.strictObject({
  mode: z.enum(['ecmp', 'adaptive', 'flowlet'], { error: 'expected one of: ecmp, adaptive, flowlet' }).default('ecmp'),
  /** Flowlet gap: 100 µs as ConWeave's LetFlow/CONGA runs (fabric-realism.md §2). */
  flowletGapUs: positive().default(100),
  /**
   * After a link or switch goes down or comes back, the switches recompute their equal-cost sets
   * this much later; until then ECMP keeps hashing onto a dead link (its packets are lost).
   * Default 900 ms: FRRouting's default BFD detection time, 3 × 300 ms (fabric-realism.md §4).
   */
  convergenceUs: nonNeg().default(900_000),
});

// ---------------------------------------------------------------- faults
/** A link by name as in results ("leaf0->spine1"; either direction names the link) or drawn by
 *  a seeded selector from the host, fabric (switch–switch) or core (top tier) links. */
const LinkRefSchema = z.union(
  [
    z.string().min(1),
    z.strictObject({
      random: z.enum(['core', 'fabric', 'host'], { error: 'expected one of: core, fabric, host' }),
      /** How many links (default 1) … */
      count: posInt().optional(),
      /** … or this percentage of that tier's links (at least one). */
      percent: z
        .number({ error: 'expected a percentage in (0, 100]' })
        .gt(0, { error: 'expected a percentage in (0, 100]' })
        .max(100, { error: 'expected a percentage in (0, 100]' })
        .optional(),
    }),
  ],
  { error: 'expected a link as "a->b" or { random: core | fabric | host, count | percent }' },
);
const atUs = () => nonNeg('a time in µs ≥ 0');
export const FaultSchema = z.discriminatedUnion(
  'kind',
  [
    /** Both directions down at atUs (queued and in-flight packets lost), up again at upAtUs. */
    z.strictObject({ kind: z.literal('linkDown'), link: LinkRefSchema, atUs: atUs(), upAtUs: positive().optional() }),
    /** count cycles of downUs down, then upUs up, from atUs. */
    z.strictObject({
      kind: z.literal('flap'),
      link: LinkRefSchema,
      atUs: atUs(),
      downUs: positive(),
      upUs: positive(),
      count: posInt(),
    }),
    /** Both directions serialise at rateFraction × their rate from atUs (until untilUs). */
    z.strictObject({
      kind: z.literal('degrade'),
      link: LinkRefSchema,
      atUs: atUs().default(0),
      untilUs: positive().optional(),
      rateFraction: z
        .number({ error: 'expected a fraction in (0, 1]' })
        .gt(0, { error: 'expected a fraction in (0, 1]' })
        .max(1, { error: 'expected a fraction in (0, 1]' }),
    }),
    /** Each packet crossing the link is lost with probability `rate`, independently (seeded). */
    z.strictObject({
      kind: z.literal('loss'),
      link: LinkRefSchema,
      atUs: atUs().default(0),
      untilUs: positive().optional(),
      rate: fraction('a loss probability in [0, 1]'),
    }),
    /** Every link of the switch down at atUs, up again at upAtUs. */
    z.strictObject({
      kind: z.literal('switchDown'),
      switch: z.string().min(1),
      atUs: atUs(),
      upAtUs: positive().optional(),
    }),
  ],
  { error: 'expected faults[].kind to be one of: linkDown, flap, degrade, loss, switchDown' },
);

// ---------------------------------------------------------------- transport
export const DcqcnParamsSchema = z.strictObject({
  rateDecreaseIntervalUs: nonNeg().optional(),
  alphaUpdateIntervalUs: positive().optional(),
  rateIncreaseTimerUs: positive().optional(),
  byteCounterBytes: posInt().optional(),
  fastRecoverySteps: nonNegInt().optional(),
  g: fraction().optional(),
  rateAiMbps: nonNeg().optional(),
  rateHaiMbps: nonNeg().optional(),
  minRateMbps: positive().optional(),
  cnpIntervalUs: nonNeg().optional(),
  rateOnFirstCnp: fraction().optional(),
  initialAlpha: fraction().optional(),
  clampTargetRate: z.boolean().optional(),
});

/** HPCC (docs/reference/cc-family.md §1.3): every field optional, unset = the ns-3 `run.py --cc hp` value. */
export const HpccParamsSchema = z.strictObject({
  /** Target utilisation η (0.95). */
  eta: positive().optional(),
  /** Additive stages before a multiplicative step (0: every update takes the η/U step). */
  maxStage: nonNegInt().optional(),
  /** Additive increase R_AI (10 × NIC Gb/s ÷ 25 Mb/s: 40 at 100 G). */
  rateAiMbps: nonNeg().optional(),
  /** Base RTT T (default: one MTU packet and its ACK over the longest host-to-host path). */
  baseRttUs: positive().optional(),
  /** Act on every ACK within an RTT without committing ("fast react", on). */
  fastReact: z.boolean().optional(),
  minRateMbps: positive().optional(),
});

/** TIMELY (cc-family.md §2.2): unset = the HPCC ns-3 code's values. */
export const TimelyParamsSchema = z.strictObject({
  /** EWMA weight of the newest RTT difference (0.875). */
  alpha: fraction().optional(),
  /** Multiplicative decrease factor β (0.8). */
  beta: fraction().optional(),
  tLowUs: positive().optional(),
  tHighUs: positive().optional(),
  /** The gradient's normaliser minRTT (20 µs). */
  minRttUs: positive().optional(),
  /** Additive step δ (NIC Gb/s Mb/s: 100 at 100 G). */
  rateAiMbps: nonNeg().optional(),
  /** Hyperactive step (5 × δ). */
  rateHaiMbps: nonNeg().optional(),
  /** Consecutive increases before the hyperactive step (5). */
  haiAfter: nonNegInt().optional(),
  minRateMbps: positive().optional(),
});

/** DCTCP in the HPCC ns-3 code's RDMA rate form (cc-family.md §3.2). */
export const DctcpParamsSchema = z.strictObject({
  /** α's EWMA gain g (1/16). */
  g: fraction().optional(),
  /** Additive increase per window (615 Mb/s: one 1 KB packet per 13 µs). */
  rateAiMbps: nonNeg().optional(),
  /** Base RTT T of the window W = R·T (default as HPCC's). */
  baseRttUs: positive().optional(),
  minRateMbps: positive().optional(),
});

/** Payload bytes per packet: at most a jumbo frame's 9,216 bytes (Ethernet switches' largest; RoCE path MTUs stop at 4,096). */
const mtu = () =>
  z
    .number({ error: 'expected a payload size in bytes from 1 to 9216' })
    .int({ error: 'expected a payload size in bytes from 1 to 9216' })
    .min(1, { error: 'expected a payload size in bytes from 1 to 9216' })
    .max(9216, { error: 'expected a payload size in bytes from 1 to 9216' })
    .default(4096);

const RoceSchema = z.strictObject({
  kind: z.literal('roce'),
  /** Payload bytes per packet (RoCE path MTU); headers (62 B) are added. */
  mtuBytes: mtu(),
  priority: z.number().int().min(0).max(5).default(3),
  cc: z
    .enum(['none', 'dcqcn', 'hpcc', 'timely', 'dctcp'], { error: 'expected one of: none, dcqcn, hpcc, timely, dctcp' })
    .default('none'),
  preset: z.enum(['connectx', 'paper', 'bz'], { error: 'expected one of: connectx, paper, bz' }).default('connectx'),
  dcqcn: DcqcnParamsSchema.prefault({}),
  // Optional rather than prefaulted, so that scenarios without them keep their hash.
  hpcc: HpccParamsSchema.optional(),
  timely: TimelyParamsSchema.optional(),
  dctcp: DctcpParamsSchema.optional(),
  /** Repeat NAK for the same expected PSN suppressed this long (HPCC 500 µs, §3.2). */
  nakIntervalUs: nonNeg().default(500),
  /** Receiver ACKs every N in-order packets (and always the last packet of a message). */
  ackEveryPackets: posInt().default(4),
  /** Retransmission timeout (htsim RoCE DEFAULT_RTO_MIN 5 ms, §3.3). */
  rtoUs: positive().default(5000),
  /**
   * The class ACKs and NAKs travel in at switches: 'control' (strict priority, never paused, as
   * PFC frames and CNPs; HPCC with AckHighPrio), or 'data' (the flow's own lossless class, so
   * PFC pauses them and they queue behind data: HPCC third.cc's default, physics.md §1.1, §3.2).
   * Default 'control'.
   */
  // Optional rather than defaulted, so that scenarios that leave it out keep their hash (the
  // default, 'control', is the behaviour before the field existed).
  ackPriority: z.enum(['control', 'data'], { error: 'expected one of: control, data' }).optional(),
  /**
   * Receiver: 'inOrder' (classic RC: a PSN past the expected one is discarded and NAKed) or
   * 'ooo' (out-of-order direct data placement, as NICs that accept adaptive routing do: each
   * PSN is placed once where it belongs, the ACK is cumulative, and a NAK goes out only for a
   * hole oooNakDistance PSNs behind the highest one received; fabric-realism.md §3). Optional,
   * so scenarios that leave it out keep their hash.
   */
  placement: z.enum(['inOrder', 'ooo'], { error: 'expected one of: inOrder, ooo' }).optional(),
  /** With placement 'ooo': NAK a missing PSN once a PSN this far above it has arrived (default
   *  two plane BDPs of packets, at least 64). */
  oooNakDistance: posInt().optional(),
  /** Over topology.planes ≥ 2: split each flow into one QP per plane (multi-path RoCE) instead of
   *  one QP bound to the plane its hash names (docs/fabric-shapes.md "Planes"). Default false. */
  multipath: z.boolean().optional(),
});

export const NsccParamsSchema = z.strictObject({
  baseRttUs: positive().optional(),
  targetQdelayUs: positive().optional(),
  maxWindowBytes: posInt().optional(),
  gamma: fraction().optional(),
  maxMdJump: fraction().optional(),
  qaGate: nonNegInt().optional(),
  delayEwma: fraction().optional(),
});

/** Swift on UET (docs/reference/cc-family.md §4.2): unset = htsim's swift.cpp values. */
export const SwiftParamsSchema = z.strictObject({
  /** Additive increase per RTT, packets (1). */
  ai: positive().optional(),
  /** Multiplicative decrease gain β (0.8). */
  beta: fraction().optional(),
  /** Largest cut per decrease (0.5). */
  maxMdf: fraction().optional(),
  /** Base target delay, the whole RTT's (20 µs). */
  baseTargetUs: positive().optional(),
  /** Target added per switch hop ℏ (base / 6.55). */
  hopScalingUs: nonNeg().optional(),
  /** Flow-scaling range (5 × base). */
  fsRangeUs: nonNeg().optional(),
  /** Flow scaling's windows, packets (0.1 and 100). */
  fsMinCwnd: positive().optional(),
  fsMaxCwnd: positive().optional(),
  minCwndBytes: positive().optional(),
  maxCwndPackets: positive().optional(),
  /** Timeouts in a row that reset the window to its minimum (5). */
  retxResetThreshold: posInt().optional(),
});

const UetSchema = z.strictObject({
  kind: z.literal('uet'),
  mtuBytes: mtu(),
  /** UET/UDP/IP/Ethernet header bytes per packet. */
  headerBytes: posInt().default(64),
  priority: z.number().int().min(0).max(5).default(1),
  loadBalancing: z
    .enum(['ecmp', 'oblivious', 'reps', 'bitmap', 'mixed'], {
      error: 'expected one of: ecmp, oblivious, reps, bitmap, mixed',
    })
    .default('oblivious'),
  /** Entropy values per flow (spec: typically 256, §4.4). */
  evCount: posInt().default(256),
  cc: z.enum(['none', 'nscc', 'swift'], { error: 'expected one of: none, nscc, swift' }).default('nscc'),
  rccc: z.boolean().default(false),
  nscc: NsccParamsSchema.prefault({}),
  // Optional rather than prefaulted, so that scenarios without it keep their hash.
  swift: SwiftParamsSchema.optional(),
  /** ACK every this many received bytes (ACK_GEN_TRIGGER 16 KiB, §4.3) and at once on CE. */
  ackEveryBytes: posInt().default(16384),
  /** RTO backstop; 'auto' = htsim 15 µs + 6 × queue drain time (§4.7). */
  rtoUs: z.union([positive(), auto]).default('auto'),
});

export const TransportSchema = z.discriminatedUnion('kind', [RoceSchema, UetSchema], {
  error: 'expected transport.kind to be one of: roce, uet',
});

// ---------------------------------------------------------------- workload
const hostId = nonNegInt('a host index ≥ 0');
const IncastSchema = z.strictObject({
  kind: z.literal('incast'),
  /** Number of senders, or an explicit list of host indices. Default list: the first N hosts that are not the receiver. */
  senders: z.union([posInt(), z.array(hostId).min(1)]),
  receiver: hostId.default(0),
  sizeBytes: posInt(),
  startNs: nonNeg().default(0),
});
const PermutationSchema = z.strictObject({
  kind: z.literal('permutation'),
  sizeBytes: posInt(),
  startNs: nonNeg().default(0),
});
const AllToAllSchema = z.strictObject({
  kind: z.literal('allToAll'),
  sizeBytes: posInt(),
  startNs: nonNeg().default(0),
  /** Restrict to these hosts (default: all). */
  hosts: z.array(hostId).optional(),
});
const FlowSchema = z.strictObject({
  src: hostId,
  dst: hostId,
  sizeBytes: posInt(),
  startNs: nonNeg().default(0),
});
const FlowListSchema = z.strictObject({
  kind: z.literal('flows'),
  flows: z.array(FlowSchema).min(1),
});
const PoissonSchema = z.strictObject({
  kind: z.literal('poisson'),
  /** A bundled CDF name (websearch, fb_hadoop, alistorage2019, googlerpc2008) or a path to a `<bytes> <percent>` file. */
  cdf: z.string().min(1),
  /** Offered load as a fraction of each host's link rate (payload bytes, as HPCC traffic_gen, §5.1). */
  load: z.number().gt(0, { error: 'expected a load in (0, 1]' }).max(1, { error: 'expected a load in (0, 1]' }),
  /** Arrivals are generated in [startNs, startNs + durationUs). */
  durationUs: positive(),
  startNs: nonNeg().default(0),
  /** Restrict senders/receivers to these hosts (default all). */
  hosts: z.array(hostId).optional(),
});
const RingAllReduceSchema = z.strictObject({
  kind: z.literal('ringAllReduce'),
  /** Ranks in ring order (default: every host, in index order). */
  hosts: z.array(hostId).min(2).optional(),
  /** Bytes of the buffer each rank reduces; each of the 2(n−1) steps moves sizeBytes / n. */
  sizeBytes: posInt(),
  startNs: nonNeg().default(0),
});
export const WorkloadItemSchema = z.discriminatedUnion(
  'kind',
  [
    IncastSchema,
    PermutationSchema,
    AllToAllSchema,
    FlowListSchema,
    PoissonSchema,
    RingAllReduceSchema,
    CollectiveItemSchema,
    JobItemSchema,
    ChakraItemSchema,
  ],
  {
    error:
      'expected workload.kind to be one of: incast, permutation, allToAll, flows, poisson, ringAllReduce, collective, job, chakra',
  },
);
export const WorkloadSchema = z.union([WorkloadItemSchema, z.array(WorkloadItemSchema).min(1)]);

// ---------------------------------------------------------------- stop, metrics, variants
export const StopSchema = z
  .strictObject({
    /** Simulated-time limit. */
    timeUs: positive().optional(),
    /** Event budget. */
    maxEvents: posInt().optional(),
    /** End the run once every flow has completed and what is still in flight has drained (default
     *  true; stopReason allFlowsDone, even with timeUs set). false: go on to timeUs (then required),
     *  the queue sampler and flow traces sampling all the way, so runs share one time axis. */
    allFlowsDone: z.boolean().default(true),
    /** Stop (stopReason 'stalled') when started flows deliver nothing for this long: a run stuck
     *  behind a PFC deadlock with the analysis off, say, would otherwise retry forever. */
    stallUs: positive().default(1_000_000),
  })
  .prefault({});

export const MetricsSchema = z
  .strictObject({
    /** Sample every switch port's queue depth at this interval (off when absent; host NICs are not sampled). */
    queueSampleNs: positive().optional(),
    /** Cap on stored samples per series (older samples are decimated). */
    maxSamples: posInt().default(2000),
    /** Per-packet one-way latency histogram. */
    latency: z.boolean().default(true),
    /** Per-flow rate / window traces (DCQCN rate and α, NSCC cwnd), sampled at this interval. */
    flowTraceNs: positive().optional(),
    /** Which flows to trace (default: the first 16). */
    traceFlows: z.array(nonNegInt()).optional(),
    /** Congestion-tree, head-of-line and deadlock analysis (cheap; on by default). */
    congestion: z.boolean().default(true),
    /** A cycle of pauses with no RESUME for this long is a PFC deadlock and stops the run. */
    deadlockTimeoutUs: positive().default(10_000),
    /** Also run every job alone on the fabric and report its slowdown against that (sim/run/jobsAlone.ts).
     *  Default: on when a job shares the workload with other traffic. */
    jobsAlone: z.boolean().optional(),
  })
  .prefault({});

export const EngineSchema = z
  .strictObject({
    /**
     * Cut the fabric into this many partitions that run in windows of the smallest cut-link delay
     * (conservative parallel simulation, sim/run/parallel/). 1: one event queue. A partitioned run is
     * deterministic and its results do not depend on `threads`, but they are not byte-identical to
     * the unpartitioned run of the same scenario: events at equal times in different partitions
     * are ordered per partition (the distributions are the same; `ethersim check` compares them).
     */
    partitions: posInt().max(64, { error: 'expected a number of partitions from 1 to 64' }).default(1),
    /** Threads for the partitions (Node; 0 = one per partition, up to the machine's cores). Never changes results. */
    threads: nonNegInt().default(0),
  })
  .prefault({});

export const VariantSchema = z.strictObject({
  name: z.string().min(1),
  /** Overrides as `path: value`, e.g. `transport.kind: uet`. */
  set: z.record(z.string(), z.unknown()).default({}),
});

export const ScenarioSchema = z.strictObject({
  name: z.string().default('scenario'),
  description: z.string().optional(),
  seed: nonNegInt('a seed, an integer ≥ 0').default(1),
  topology: TopologySchema,
  links: LinksSchema,
  switch: SwitchSchema,
  transport: TransportSchema,
  workload: WorkloadSchema,
  /** 'roce-ar': RoCE with out-of-order placement over switches with adaptive routing (load.ts
   *  expands it before validation: transport.kind roce, placement ooo, routing.mode adaptive). */
  preset: z.enum(['roce-ar'], { error: 'expected one of: roce-ar' }).optional(),
  routing: RoutingSchema.optional(),
  /** Failures on a schedule (docs/faults.md). */
  faults: z.array(FaultSchema).optional(),
  stop: StopSchema,
  metrics: MetricsSchema,
  engine: EngineSchema,
  compare: z.array(VariantSchema).optional(),
  sweep: z.record(z.string(), z.array(z.unknown()).min(1)).optional(),
});

export type Scenario = z.output<typeof ScenarioSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type Topology = Scenario['topology'];
export type Transport = Scenario['transport'];
export type RoceTransport = Extract<Transport, { kind: 'roce' }>;
export type UetTransport = Extract<Transport, { kind: 'uet' }>;
export type WorkloadItem = z.output<typeof WorkloadItemSchema>;
export type SwitchConfig = Scenario['switch'];
export type RoutingConfig = z.output<typeof RoutingSchema>;
