import { z } from 'zod';
import { ChakraItemSchema, CollectiveItemSchema, JobItemSchema } from './jobsSchema.ts';

/**
 * The scenario schema: the one source of truth for the scenario file's types, defaults,
 * validation and the exported JSON Schema (docs/scenarios.md).
 * Units are in the field names: rateGbps, delayNs, sizeBytes, timeUs.
 *
 * Every field carries its user-facing description with `.describe()`: it goes into the JSON
 * Schema (editors show it on hover) and into the field reference of docs/scenarios.md, which
 * `npm run docs` regenerates from this file (tests/scenarioReference.test.ts fails when it is
 * stale).
 */

import { fraction, nonNeg, nonNegInt, posInt, positive, timeNs, timeUs } from './fields.ts';

export { MAX_TIME_S } from './fields.ts';

/** A propagation delay: at most 1 s, so that times stay exact integers of picoseconds (doubles are exact to 2^53 ps ≈ 2.5 h). */
const delayNs = () =>
  nonNeg('a propagation delay in ns from 0 to 1000000000 (1 s)').max(1e9, {
    error: 'expected a propagation delay in ns from 0 to 1000000000 (1 s)',
  });

/** Host links: each field defaults on its own (400 G, 1 µs), in a file as with --set. */
export const LinkSchema = z.strictObject({
  rateGbps: positive('a link rate in Gb/s > 0').default(400).describe('Link rate in Gb/s.'),
  delayNs: delayNs()
    .default(1000)
    .describe('Propagation delay in ns, at most 1 s (times stay exact integers of picoseconds).'),
});
/** Switch links: a field left out is the tier below's (fabric: host's; core: fabric's). */
const TierLinkSchema = z.strictObject({
  rateGbps: positive('a link rate in Gb/s > 0').optional().describe('Link rate in Gb/s (default: the tier below).'),
  delayNs: delayNs().optional().describe('Propagation delay in ns (default: the tier below).'),
});

// ---------------------------------------------------------------- topology
const StarSchema = z
  .strictObject({
    kind: z.literal('star'),
    hosts: z.number().int().min(2, { error: 'expected an integer ≥ 2' }).describe('Hosts on the switch.'),
  })
  .describe('One switch with every host on it.');
const DumbbellSchema = z
  .strictObject({
    kind: z.literal('dumbbell'),
    hostsPerSide: posInt().describe('Hosts on each side: the left ones are 0 … n − 1, the right ones n … 2n − 1.'),
  })
  .describe('Two switches joined by one link, links.fabric: the bottleneck.');
/** Oversubscription of the first switch tier (docs/fabric-shapes.md): R means R:1, 1 non-blocking. */
const oversubscription = () =>
  z.number({ error: 'expected a ratio ≥ 1 (4 means 4:1)' }).min(1, { error: 'expected a ratio ≥ 1 (4 means 4:1)' });
/** How the ratio is built: 'uplinks' (default): fewer uplinks at the fabric rate; 'rate': slower uplinks. */
const oversubscribeBy = () =>
  z
    .enum(['uplinks', 'rate'], { error: 'expected one of: uplinks, rate' })
    .optional()
    .describe(
      'How the oversubscription is built: uplinks (the default: fewer uplinks at the fabric rate) or rate (slower uplinks).',
    );
/** Parallel copies of the fabric, one NIC port per plane per host (docs/fabric-shapes.md "Planes"; uet-htsim: 1–8). */
const planes = () =>
  z
    .number({ error: 'expected a number of planes from 1 to 8' })
    .int({ error: 'expected a number of planes from 1 to 8' })
    .min(1, { error: 'expected a number of planes from 1 to 8' })
    .max(8, { error: 'expected a number of planes from 1 to 8' })
    .optional()
    .describe('Parallel copies of the fabric, 1–8, with one NIC port per plane on every host (docs/fabric-shapes.md).');
const LeafSpineSchema = z
  .strictObject({
    kind: z.literal('leafSpine'),
    leaves: z.number().int().min(2, { error: 'expected an integer ≥ 2' }).describe('Leaf (top-of-rack) switches.'),
    spines: posInt()
      .optional()
      .describe(
        'Spine switches; every leaf links to every spine. Required unless oversubscription with oversubscribeBy: uplinks derives it.',
      ),
    hostsPerLeaf: posInt().describe('Hosts under each leaf, numbered leaf by leaf.'),
    // Optional rather than defaulted (here and below), so that scenarios without them keep their hash.
    oversubscription: oversubscription()
      .optional()
      .describe('Oversubscription of the leaves, host bandwidth to uplink bandwidth: R means R:1 (1: non-blocking).'),
    oversubscribeBy: oversubscribeBy(),
    planes: planes(),
  })
  .describe('A two-tier Clos: leaves with their hosts, every leaf linked to every spine.');
const FatTreeSchema = z
  .strictObject({
    kind: z.literal('fatTree'),
    k: z
      .number({ error: 'expected an even integer ≥ 2' })
      .int({ error: 'expected an even integer ≥ 2' })
      .min(2, { error: 'expected an even integer ≥ 2' })
      .refine((k) => k % 2 === 0, { error: 'expected an even integer ≥ 2' })
      .describe('Switch radix, even: k pods of k/2 edge and k/2 aggregation switches, (k/2)² cores.'),
    hostsPerEdge: posInt()
      .optional()
      .describe(
        'Hosts per edge switch (default k/2, full bisection); fewer trims the host count, e.g. 1024 hosts from k = 16.',
      ),
    oversubscription: oversubscription()
      .optional()
      .describe(
        'Oversubscription of the edge tier, R means R:1: with oversubscribeBy uplinks it derives hostsPerEdge, with rate it slows the edge–aggregation links.',
      ),
    oversubscribeBy: oversubscribeBy(),
    planes: planes(),
  })
  .describe('A three-tier k-ary fat-tree (edge, aggregation, core).');
const RingSchema = z
  .strictObject({
    kind: z.literal('ring'),
    switches: z.number().int().min(3, { error: 'expected an integer ≥ 3' }).describe('Switches in the ring.'),
    hostsPerSwitch: posInt().describe('Hosts on each switch.'),
    clockwise: z
      .boolean()
      .default(false)
      .describe(
        'Route every flow clockwise (lower switch index to higher, wrapping) instead of by shortest path: how a cyclic buffer dependency, and so a PFC deadlock, is built on purpose.',
      ),
  })
  .describe('Switches in a ring, each with its hosts.');
export const TopologySchema = z.discriminatedUnion(
  'kind',
  [StarSchema, DumbbellSchema, LeafSpineSchema, FatTreeSchema, RingSchema],
  {
    error: 'expected topology.kind to be one of: star, dumbbell, leafSpine, fatTree, ring',
  },
);

export const LinksSchema = z
  .strictObject({
    host: LinkSchema.default({ rateGbps: 400, delayNs: 1000 }).describe('Host ↔ first switch.'),
    fabric: TierLinkSchema.optional().describe(
      'Switch ↔ switch (leaf–spine, edge–aggregation, the dumbbell bottleneck, the ring); a field left out is as host.',
    ),
    core: TierLinkSchema.optional().describe('Aggregation ↔ core in a fat-tree; a field left out is as fabric.'),
  })
  .default({ host: { rateGbps: 400, delayNs: 1000 } })
  .describe('Link rates and propagation delays by tier.');

// ---------------------------------------------------------------- switch
const auto = z.literal('auto');
export const SwitchSchema = z
  .strictObject({
    latencyNs: timeNs()
      .default(0)
      .describe('Fixed forwarding latency per switch, in ns (not applied to PFC frames, which the MAC consumes).'),
    // At most 2 GB: queue and buffer counters are 32-bit integers (real switch buffers are tens of MB).
    bufferBytes: posInt('a positive integer ≤ 2000000000')
      .max(2_000_000_000, { error: 'expected a positive integer ≤ 2000000000' })
      .default(32_000_000)
      .describe('Shared buffer per switch, in bytes (HPCC ns-3: 32 MB at 100 G NICs, physics.md §1.2).'),
    pfc: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Priority flow control on the lossless priorities.'),
        priorities: z
          .array(z.number().int().min(0).max(5))
          .default([3])
          .describe('The lossless (PFC-protected) priorities, among the data classes 0–5.'),
        alpha: z
          .union([positive(), auto])
          .default('auto')
          .describe(
            'Dynamic-threshold α of the shared buffer: an ingress queue pauses above α × free buffer. auto: 1/8 at NIC speed, doubled per doubling of the port speed (HPCC, physics.md §1.2).',
          ),
        headroomBytes: z
          .union([
            nonNegInt('an integer in [0, 2000000000]').max(2_000_000_000, {
              error: 'expected an integer in [0, 2000000000]',
            }),
            auto,
          ])
          .default('auto')
          .describe(
            'Headroom per (ingress port, lossless priority), for what arrives after XOFF. auto: 3 × rate × delay / 8 plus rate × switch latency / 8 plus two maximum frames (HPCC, physics.md §1.2).',
          ),
        reserveBytes: nonNegInt('an integer in [0, 2000000000]')
          .max(2_000_000_000, { error: 'expected an integer in [0, 2000000000]' })
          .default(4096)
          .describe('Guaranteed bytes per (ingress port, priority) before the shared pool (HPCC: 4 KiB).'),
        resumeOffsetBytes: nonNegInt()
          .default(3072)
          .describe('XON hysteresis: resume once this far under the threshold (HPCC: 3 KiB).'),
        // Static PFC thresholds (SAI xoff/xon profiles; htsim's 15/12-packet input queues;
        // docs/reference/fabric-realism.md §1). Headroom above xoff stays as headroomBytes computes it.
        xoffBytes: posInt('a positive integer ≤ 2000000000')
          .max(2_000_000_000, { error: 'expected a positive integer ≤ 2000000000' })
          .optional()
          .describe(
            'A static PFC threshold per (ingress port, lossless priority) instead of the dynamic α one: PAUSE when the ingress holds this many bytes (reserve + shared).',
          ),
        xonBytes: nonNegInt('an integer in [0, 2000000000]')
          .max(2_000_000_000, { error: 'expected an integer in [0, 2000000000]' })
          .optional()
          .describe(
            'With xoffBytes: RESUME once the ingress holds at most this many bytes and its headroom is empty (default xoffBytes − resumeOffsetBytes, as SAI’s xon_offset).',
          ),
      })
      .prefault({})
      .describe('Priority flow control (IEEE 802.1Qbb) with HPCC’s ingress accounting.'),
    ecn: z
      .strictObject({
        enabled: z.boolean().default(true).describe('RED/ECN marking of ECN-capable packets.'),
        kminBytes: z
          .union([nonNegInt(), auto])
          .default('auto')
          .describe(
            'RED Kmin in bytes of the egress queue: no mark below. auto: RoCE 100 KB × rate / 25 G (HPCC, physics.md §2.2c); UET 0.2 × plane BDP (UE spec §3.6.17).',
          ),
        kmaxBytes: z
          .union([nonNegInt(), auto])
          .default('auto')
          .describe('RED Kmax in bytes: always a mark above. auto: RoCE 400 KB × rate / 25 G; UET 0.8 × plane BDP.'),
        // 1 for UET is filled in by load.ts before validation (htsim, physics.md §4.5).
        pmax: fraction()
          .default(0.2)
          .describe(
            'RED’s marking probability at Kmax: 0.2 by default (HPCC), 1 with transport uet (htsim, physics.md §4.5).',
          ),
        mode: z
          .enum(['dequeue', 'enqueue'], { error: 'expected one of: dequeue, enqueue' })
          .default('dequeue')
          .describe('Mark when the packet leaves the queue (HPCC’s default) or when it joins it.'),
      })
      .prefault({})
      .describe('ECN marking by RED on each egress queue.'),
    lossy: z
      .strictObject({
        alpha: positive()
          .default(1)
          .describe('Dynamic threshold of lossy egress queues: a queue tail-drops above alpha × free shared buffer.'),
        queueCapBytes: z
          .union([posInt(), auto])
          .optional()
          .describe(
            'A static cap per lossy egress queue, in bytes; auto: 5 × plane BDP (physics.md §4.6). Unset: none, except with transport uet and no trimming, where it is 5 × plane BDP.',
          ),
      })
      .prefault({})
      .describe('Admission of the lossy (non-PFC) classes.'),
    /**
     * How a port shares its link among the data classes (docs/fabric-shapes.md "Traffic
     * classes"): 'roundRobin' packet by packet (HPCC's switch, the default), 'strict' (the
     * highest class with a packet first), or 'dwrr' (deficit round robin, Shreedhar & Varghese
     * 1995: shares of a busy link in proportion to `weights`, by class number; 1 when left out).
     * Control and trimmed headers stay strictly first. Optional, so scenarios without it keep
     * their hash.
     */
    scheduler: z
      .strictObject({
        kind: z
          .enum(['roundRobin', 'strict', 'dwrr'], { error: 'expected one of: roundRobin, strict, dwrr' })
          .default('roundRobin')
          .describe(
            'roundRobin: packet by packet among the data classes; strict: the highest class first; dwrr: deficit round robin by weights.',
          ),
        weights: z
          .partialRecord(
            z.enum(['0', '1', '2', '3', '4', '5'], { error: 'expected a data class from 0 to 5' }),
            positive('a weight > 0'),
          )
          .optional()
          .describe('dwrr: a busy link’s share per data class, by class number (1 when left out).'),
      })
      .optional()
      .describe('How a port shares its link among the data classes; control and trimmed headers go first.'),
    trimming: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe('Trim instead of drop: only UET packets are trimmable (RoCE ignores it, with a note).'),
        thresholdBytes: z
          .union([posInt(), auto])
          .default('auto')
          .describe(
            'Trim a trimmable packet that would grow its egress queue past this many bytes. auto: 1 × plane BDP (physics.md §4.6).',
          ),
        headerBytes: posInt()
          .default(64)
          .describe('Size of a trimmed packet on the wire (htsim: 64 bytes, physics.md §4.5).'),
      })
      .prefault({})
      .describe('Packet trimming (UET): cut to a header instead of dropped, forwarded at high priority.'),
  })
  .prefault({})
  .describe('Switch buffers and queue management: shared buffer, PFC, ECN, lossy admission, trimming.');

// ---------------------------------------------------------------- routing
/**
 * How switches pick among equal-cost next hops (docs/reference/fabric-realism.md §2): 'ecmp'
 * hashes (flow, entropy); 'adaptive' sends each data packet to the least-loaded member (queue
 * depth, as htsim's per-packet ADAPTIVE_ROUTING); 'flowlet' keeps a flow on its port until it
 * pauses longer than flowletGapUs, then re-picks the least-loaded one. Optional as a block, so
 * scenarios that leave it out keep their hash.
 */
export const RoutingSchema = z
  .strictObject({
    mode: z
      .enum(['ecmp', 'adaptive', 'flowlet'], { error: 'expected one of: ecmp, adaptive, flowlet' })
      .default('ecmp')
      .describe(
        'How switches pick among equal-cost next hops: ecmp hashes (flow, entropy); adaptive sends each data packet to the least-loaded one (queue depth, as htsim); flowlet keeps a flow on its port until it pauses longer than flowletGapUs.',
      ),
    flowletGapUs: timeUs()
      .default(100)
      .describe('Flowlet gap in µs (100, as ConWeave runs LetFlow and CONGA; fabric-realism.md §2).'),
    // FRRouting's default BFD detection time, 3 × 300 ms (fabric-realism.md §4).
    convergenceUs: timeUs(true)
      .default(900_000)
      .describe(
        'After a link or switch goes down or comes back, the switches recompute their equal-cost sets this many µs later; until then ECMP keeps hashing onto a dead link.',
      ),
  })
  .describe('Next-hop choice at switches (optional: leaving it out keeps the scenario hash).');

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
const atUs = () => timeUs(true);
export const FaultSchema = z.discriminatedUnion(
  'kind',
  [
    /** Both directions down at atUs (queued and in-flight packets lost), up again at upAtUs. */
    z.strictObject({ kind: z.literal('linkDown'), link: LinkRefSchema, atUs: atUs(), upAtUs: timeUs().optional() }),
    /** count cycles of downUs down, then upUs up, from atUs. */
    z.strictObject({
      kind: z.literal('flap'),
      link: LinkRefSchema,
      atUs: atUs(),
      downUs: timeUs(),
      upUs: timeUs(),
      count: posInt(),
    }),
    /** Both directions serialise at rateFraction × their rate from atUs (until untilUs). */
    z.strictObject({
      kind: z.literal('degrade'),
      link: LinkRefSchema,
      atUs: atUs().default(0),
      untilUs: timeUs().optional(),
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
      untilUs: timeUs().optional(),
      rate: fraction('a loss probability in [0, 1]'),
    }),
    /** Every link of the switch down at atUs, up again at upAtUs. */
    z.strictObject({
      kind: z.literal('switchDown'),
      switch: z.string().min(1),
      atUs: atUs(),
      upAtUs: timeUs().optional(),
    }),
  ],
  { error: 'expected faults[].kind to be one of: linkDown, flap, degrade, loss, switchDown' },
);

// ---------------------------------------------------------------- transport
export const DcqcnParamsSchema = z.strictObject({
  rateDecreaseIntervalUs: timeUs(true).optional().describe('At most one rate cut per this many µs.'),
  alphaUpdateIntervalUs: timeUs().optional().describe('α is updated once per this many µs.'),
  rateIncreaseTimerUs: timeUs().optional().describe('Rate-increase timer period, in µs.'),
  byteCounterBytes: posInt().optional().describe('Rate-increase byte counter: a step per this many bytes sent.'),
  fastRecoverySteps: nonNegInt().optional().describe('Fast-recovery steps (F) before additive increase.'),
  g: fraction().optional().describe('Gain of α’s moving average.'),
  rateAiMbps: nonNeg().optional().describe('Additive-increase step, in Mb/s.'),
  rateHaiMbps: nonNeg().optional().describe('Hyper-increase step, in Mb/s.'),
  minRateMbps: positive().optional().describe('Lowest rate, in Mb/s.'),
  cnpIntervalUs: timeUs(true)
    .optional()
    .describe('At most one CNP per QP per this many µs at the receiver (0: every marked packet).'),
  rateOnFirstCnp: fraction().optional().describe('The rate after the first CNP, as a fraction of the current rate.'),
  initialAlpha: fraction().optional().describe('α at the start of a flow.'),
  clampTargetRate: z.boolean().optional().describe('Set the target rate to the current rate at each cut.'),
});

/** HPCC (docs/reference/cc-family.md §1.3): every field optional, unset = the ns-3 `run.py --cc hp` value. */
export const HpccParamsSchema = z.strictObject({
  eta: positive().optional().describe('Target utilisation η (0.95).'),
  maxStage: nonNegInt()
    .optional()
    .describe('Additive stages before a multiplicative step (0: every update takes the η/U step).'),
  rateAiMbps: nonNeg().optional().describe('Additive increase R_AI in Mb/s (10 × NIC Gb/s ÷ 25: 40 at 100 G).'),
  baseRttUs: timeUs()
    .optional()
    .describe('Base RTT T in µs (default: one MTU packet and its ACK over the longest host-to-host path).'),
  fastReact: z.boolean().optional().describe('Act on every ACK within an RTT without committing ("fast react", on).'),
  minRateMbps: positive().optional().describe('Lowest rate, in Mb/s.'),
});

/** TIMELY (cc-family.md §2.2): unset = the HPCC ns-3 code's values. */
export const TimelyParamsSchema = z.strictObject({
  alpha: fraction().optional().describe('EWMA weight of the newest RTT difference (0.875).'),
  beta: fraction().optional().describe('Multiplicative decrease factor β (0.8).'),
  tLowUs: timeUs().optional().describe('T_low in µs: below it the rate always increases.'),
  tHighUs: timeUs().optional().describe('T_high in µs: above it the rate always decreases.'),
  minRttUs: timeUs().optional().describe('The gradient’s normaliser minRTT, in µs (20).'),
  rateAiMbps: nonNeg().optional().describe('Additive step δ in Mb/s (the NIC’s Gb/s: 100 at 100 G).'),
  rateHaiMbps: nonNeg().optional().describe('Hyperactive step in Mb/s (5 × δ).'),
  haiAfter: nonNegInt().optional().describe('Consecutive increases before the hyperactive step (5).'),
  minRateMbps: positive().optional().describe('Lowest rate, in Mb/s.'),
});

/** DCTCP in the HPCC ns-3 code's RDMA rate form (cc-family.md §3.2). */
export const DctcpParamsSchema = z.strictObject({
  g: fraction().optional().describe('α’s EWMA gain g (1/16).'),
  rateAiMbps: nonNeg().optional().describe('Additive increase per window, in Mb/s (615: one 1 KB packet per 13 µs).'),
  baseRttUs: timeUs().optional().describe('Base RTT T of the window W = R·T, in µs (default as HPCC’s).'),
  minRateMbps: positive().optional().describe('Lowest rate, in Mb/s.'),
});

/** Payload bytes per packet: at most a jumbo frame's 9,216 bytes (Ethernet switches' largest; RoCE path MTUs stop at 4,096). */
const mtu = () =>
  z
    .number({ error: 'expected a payload size in bytes from 1 to 9216' })
    .int({ error: 'expected a payload size in bytes from 1 to 9216' })
    .min(1, { error: 'expected a payload size in bytes from 1 to 9216' })
    .max(9216, { error: 'expected a payload size in bytes from 1 to 9216' })
    .default(4096);

const RoceSchema = z
  .strictObject({
    kind: z.literal('roce'),
    mtuBytes: mtu().describe(
      'Payload bytes per packet (the RoCE path MTU, at most 4096 without a note); 62 bytes of headers are added.',
    ),
    priority: z
      .number()
      .int()
      .min(0)
      .max(5)
      .default(3)
      .describe('The flows’ priority class (make it lossless in switch.pfc.priorities).'),
    cc: z
      .enum(['none', 'dcqcn', 'hpcc', 'timely', 'dctcp'], {
        error: 'expected one of: none, dcqcn, hpcc, timely, dctcp',
      })
      .default('none')
      .describe(
        'Congestion control: none (line rate, PFC only), DCQCN, HPCC, TIMELY or DCTCP (docs/congestion-control.md).',
      ),
    preset: z
      .enum(['connectx', 'paper', 'bz'], { error: 'expected one of: connectx, paper, bz' })
      .default('connectx')
      .describe(
        'DCQCN parameter set: connectx (HPCC’s model of ConnectX firmware), paper (SIGCOMM 2015 values, as htsim), bz (the DCQCN author’s ns-3), physics.md §2.2.',
      ),
    dcqcn: DcqcnParamsSchema.prefault({}).describe('Single DCQCN parameters over the preset’s.'),
    // Optional rather than prefaulted, so that scenarios without them keep their hash.
    hpcc: HpccParamsSchema.optional().describe(
      'HPCC parameters (cc: hpcc); unset ones are the ns-3 run.py --cc hp values.',
    ),
    timely: TimelyParamsSchema.optional().describe(
      'TIMELY parameters (cc: timely); unset ones are the HPCC ns-3 code’s.',
    ),
    dctcp: DctcpParamsSchema.optional().describe('DCTCP parameters (cc: dctcp), in the HPCC ns-3 code’s rate form.'),
    nakIntervalUs: timeUs(true)
      .default(500)
      .describe(
        'A repeat NAK for the same expected PSN is suppressed this long, in µs (HPCC: 500 µs, physics.md §3.2).',
      ),
    ackEveryPackets: posInt()
      .default(4)
      .describe('The receiver ACKs every this many in-order packets, and always the last packet of a message.'),
    rtoUs: timeUs().default(5000).describe('Retransmission timeout, in µs (htsim RoCE: 5 ms, physics.md §3.3).'),
    // Optional rather than defaulted, so that scenarios that leave it out keep their hash (the
    // default, 'control', is the behaviour before the field existed).
    ackPriority: z
      .enum(['control', 'data'], { error: 'expected one of: control, data' })
      .optional()
      .describe(
        'The class ACKs and NAKs travel in at switches: control (the default: strict priority, never paused, as HPCC with AckHighPrio) or data (the flow’s own lossless class, paused with it and queued behind data: HPCC third.cc’s default, physics.md §1.1, §3.2).',
      ),
    // Optional, so that scenarios that leave them out keep their hash (fabric-realism.md §3).
    placement: z
      .enum(['inOrder', 'ooo'], { error: 'expected one of: inOrder, ooo' })
      .optional()
      .describe(
        'Receiver: inOrder (the default, classic RC: a PSN past the expected one is discarded and NAKed) or ooo (out-of-order direct data placement, as NICs that accept adaptive routing do: each PSN placed once, a cumulative ACK, a NAK only for a hole oooNakDistance PSNs behind the highest received).',
      ),
    oooNakDistance: posInt()
      .optional()
      .describe(
        'With placement ooo: NAK a missing PSN once a PSN this far above it has arrived (default two plane BDPs of packets, at least 64).',
      ),
    multipath: z
      .boolean()
      .optional()
      .describe(
        'Over topology.planes ≥ 2: split each flow into one QP per plane (multi-path RoCE) instead of one QP bound to the plane its hash names (default false; docs/fabric-shapes.md).',
      ),
  })
  .describe('RoCEv2 reliable connection: one queue pair per flow, go-back-N, optional congestion control.');

export const NsccParamsSchema = z.strictObject({
  baseRttUs: timeUs().optional().describe('Base RTT in µs (default: derived from the longest path).'),
  targetQdelayUs: timeUs().optional().describe('Target queueing delay in µs (default: derived from the base RTT).'),
  maxWindowBytes: posInt().optional().describe('Largest window in bytes (default: derived from the BDP).'),
  gamma: fraction().optional().describe('Gain of the multiplicative decrease.'),
  maxMdJump: fraction().optional().describe('Largest fraction of the window one decrease may take.'),
  qaGate: nonNegInt().optional().describe('Quick-adapt gate.'),
  delayEwma: fraction().optional().describe('Gain of the delay’s moving average.'),
});

/** Swift on UET (docs/reference/cc-family.md §4.2): unset = htsim's swift.cpp values. */
export const SwiftParamsSchema = z.strictObject({
  ai: positive().optional().describe('Additive increase per RTT, in packets (1).'),
  beta: fraction().optional().describe('Multiplicative decrease gain β (0.8).'),
  maxMdf: fraction().optional().describe('Largest cut per decrease (0.5).'),
  baseTargetUs: timeUs().optional().describe('Base target delay, of the whole RTT, in µs (20).'),
  hopScalingUs: timeUs(true).optional().describe('Target added per switch hop ℏ, in µs (base / 6.55).'),
  fsRangeUs: timeUs(true).optional().describe('Flow-scaling range, in µs (5 × base).'),
  fsMinCwnd: positive().optional().describe('Flow scaling’s smallest window, in packets (0.1).'),
  fsMaxCwnd: positive().optional().describe('Flow scaling’s largest window, in packets (100).'),
  minCwndBytes: positive().optional().describe('Smallest window, in bytes.'),
  maxCwndPackets: positive().optional().describe('Largest window, in packets.'),
  retxResetThreshold: posInt().optional().describe('Timeouts in a row that reset the window to its minimum (5).'),
});

const UetSchema = z
  .strictObject({
    kind: z.literal('uet'),
    mtuBytes: mtu().describe('Payload bytes per packet; headerBytes are added.'),
    headerBytes: posInt().default(64).describe('UET, UDP, IP and Ethernet header bytes per packet.'),
    priority: z.number().int().min(0).max(5).default(1).describe('The flows’ priority class.'),
    loadBalancing: z
      .enum(['ecmp', 'oblivious', 'reps', 'bitmap', 'mixed'], {
        error: 'expected one of: ecmp, oblivious, reps, bitmap, mixed',
      })
      .default('oblivious')
      .describe(
        'How each packet’s entropy value is chosen: ecmp (one per flow), oblivious spraying, REPS, bitmap, mixed.',
      ),
    evCount: posInt().default(256).describe('Entropy values per flow (the spec’s typical 256, physics.md §4.4).'),
    cc: z
      .enum(['none', 'nscc', 'swift'], { error: 'expected one of: none, nscc, swift' })
      .default('nscc')
      .describe('Sender congestion control: NSCC, Swift (docs/congestion-control.md), or none (a fixed window).'),
    rccc: z.boolean().default(false).describe('Receiver credit congestion control (RCCC) beside NSCC.'),
    nscc: NsccParamsSchema.prefault({}).describe('NSCC parameters over the ones derived from base RTT and BDP.'),
    // Optional rather than prefaulted, so that scenarios without it keep their hash.
    swift: SwiftParamsSchema.optional().describe(
      'Swift parameters (cc: swift); unset ones are htsim’s swift.cpp values.',
    ),
    ackEveryBytes: posInt()
      .default(16384)
      .describe('ACK every this many received bytes (ACK_GEN_TRIGGER, 16 KiB, physics.md §4.3), and at once on CE.'),
    rtoUs: z
      .union([timeUs(), auto])
      .default('auto')
      .describe(
        'Retransmission timeout backstop, in µs. auto: 15 µs + 6 × a queue’s drain time (htsim, physics.md §4.7).',
      ),
  })
  .describe('Ultra Ethernet transport: PDC with RUD, SACK, trimming NACKs, per-packet load balancing, NSCC.');

export const TransportSchema = z.discriminatedUnion('kind', [RoceSchema, UetSchema], {
  error: 'expected transport.kind to be one of: roce, uet',
});

// ---------------------------------------------------------------- workload
const hostId = nonNegInt('a host index ≥ 0');
const sizeBytes = () => posInt().describe('Bytes each flow carries.');
const startNs = () => timeNs().default(0).describe('When the flows start, in ns of simulated time.');
const IncastSchema = z
  .strictObject({
    kind: z.literal('incast'),
    senders: z
      .union([posInt(), z.array(hostId).min(1)])
      .describe('A number of senders (the first hosts that are not the receiver), or a list of host indices.'),
    receiver: hostId.default(0).describe('The host every sender sends to.'),
    sizeBytes: sizeBytes(),
    startNs: startNs(),
  })
  .describe('Many senders to one receiver, all at once.');
const PermutationSchema = z
  .strictObject({
    kind: z.literal('permutation'),
    sizeBytes: sizeBytes(),
    startNs: startNs(),
  })
  .describe('Every host sends to one other and receives from one other: a random derangement.');
const AllToAllSchema = z
  .strictObject({
    kind: z.literal('allToAll'),
    sizeBytes: sizeBytes(),
    startNs: startNs(),
    hosts: z.array(hostId).optional().describe('The hosts taking part (default: all).'),
  })
  .describe('Every host sends to every other.');
const FlowSchema = z.strictObject({
  src: hostId.describe('Sending host.'),
  dst: hostId.describe('Receiving host.'),
  sizeBytes: posInt().describe('Bytes the flow carries.'),
  startNs: timeNs().default(0).describe('When the flow starts, in ns.'),
});
const FlowListSchema = z
  .strictObject({
    kind: z.literal('flows'),
    flows: z.array(FlowSchema).min(1).describe('The flows.'),
  })
  .describe('An explicit list of flows.');
const PoissonSchema = z
  .strictObject({
    kind: z.literal('poisson'),
    cdf: z
      .string()
      .min(1)
      .describe(
        'Flow sizes: a bundled CDF (websearch, fb_hadoop, alistorage2019, googlerpc2008) or the path of a file of “<bytes> <cumulative percent>” lines.',
      ),
    load: z
      .number()
      .gt(0, { error: 'expected a load in (0, 1]' })
      .max(1, { error: 'expected a load in (0, 1]' })
      .describe(
        'Offered load as a fraction of each host’s link rate, in payload bytes (as HPCC’s traffic_gen, physics.md §5.1).',
      ),
    durationUs: timeUs().describe('Arrivals are generated in [startNs, startNs + durationUs).'),
    startNs: timeNs().default(0).describe('When arrivals begin, in ns.'),
    hosts: z.array(hostId).optional().describe('The hosts that send and receive (default: all).'),
  })
  .describe('Poisson arrivals per host to random destinations, sizes drawn from a CDF, at a target load.');
const RingAllReduceSchema = z
  .strictObject({
    kind: z.literal('ringAllReduce'),
    hosts: z.array(hostId).min(2).optional().describe('The ranks in ring order (default: every host, in index order).'),
    sizeBytes: posInt().describe(
      'Bytes of the buffer each rank reduces; each of the 2(n − 1) steps moves sizeBytes / n.',
    ),
    startNs: timeNs().default(0).describe('When the first step starts, in ns.'),
  })
  .describe('A ring all-reduce: 2(n − 1) steps, each waiting for the previous one.');
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
export const WorkloadSchema = z
  .union([WorkloadItemSchema, z.array(WorkloadItemSchema).min(1)])
  .describe('The traffic: one workload item, or a list of them (their flows together).');

// ---------------------------------------------------------------- stop, metrics, variants
export const StopSchema = z
  .strictObject({
    timeUs: timeUs().optional().describe('Simulated-time limit, in µs (stopReason timeLimit).'),
    maxEvents: posInt().optional().describe('Event budget (stopReason eventBudget).'),
    allFlowsDone: z
      .boolean()
      .default(true)
      .describe(
        'End the run once every flow has finished and what is in flight has drained (stopReason allFlowsDone, even with timeUs). false: run on to timeUs (then required), sampling all the way, so runs share one time axis.',
      ),
    stallUs: timeUs()
      .default(1_000_000)
      .describe(
        'Stop (stopReason stalled, exit 1) when started flows deliver nothing for this many µs: a run stuck behind a PFC deadlock with the analysis off, say, would otherwise retry forever.',
      ),
  })
  .prefault({})
  .describe('When the run ends.');

export const MetricsSchema = z
  .strictObject({
    queueSampleNs: timeNs(1)
      .optional()
      .describe(
        'Sample every switch port’s queue depth at this interval, in ns (off when absent; host NICs are not sampled).',
      ),
    maxSamples: posInt()
      .default(2000)
      .describe('Samples kept per series: when full, every other sample is dropped and the interval doubles.'),
    latency: z.boolean().default(true).describe('Record every data packet’s one-way latency in a histogram.'),
    flowTraceNs: timeNs(1)
      .optional()
      .describe('Sample per-flow traces (delivered bytes, DCQCN rate and α, NSCC window) at this interval, in ns.'),
    traceFlows: z.array(nonNegInt()).optional().describe('Which flows to trace, by id (default: the first 16).'),
    congestion: z
      .boolean()
      .default(true)
      .describe('The congestion-tree, head-of-line victim and PFC deadlock analysis (cheap; on by default).'),
    deadlockTimeoutUs: timeUs()
      .default(10_000)
      .describe('A cycle of pauses with no RESUME for this many µs is a PFC deadlock, and stops the run.'),
    jobsAlone: z
      .boolean()
      .optional()
      .describe(
        'Also run every job alone on the fabric and report its slowdown against that (default: on when a job shares the workload with other traffic).',
      ),
  })
  .prefault({})
  .describe('What to record, and how finely.');

export const EngineSchema = z
  .strictObject({
    partitions: posInt()
      .max(64, { error: 'expected a number of partitions from 1 to 64' })
      .default(1)
      .describe(
        'Cut the fabric into this many partitions run in parallel windows (docs/architecture.md, Partitioned runs); 1: one event queue. Deterministic, whatever the threads, but not byte-identical to the unpartitioned run: the same distributions.',
      ),
    threads: nonNegInt('a number of threads from 0 to 64')
      .max(64, { error: 'expected a number of threads from 0 to 64' })
      .default(0)
      .describe(
        'Threads for the partitions (Node): 0 = one per partition when the machine has the cores; 1 = one thread. Never changes results.',
      ),
  })
  .prefault({})
  .describe('How the run is executed, never what it simulates (left out of the scenario hash).');

/**
 * Wire accounting, for exact comparisons with simulators that count frames differently. Left out
 * (the default): every frame takes 20 B more on the wire for preamble/SFD and the inter-frame gap
 * (IEEE 802.3 §4.4.2: 8 B + 12 B), and transport.mtuBytes is the payload, headers added. htsim
 * counts neither: its packet size is the whole frame on the wire (physics.md §5.2: 4150-B packets).
 */
export const WireSchema = z.strictObject({
  preambleIfg: z
    .boolean()
    .default(true)
    .describe('Count 20 B of preamble/SFD and inter-frame gap per frame (default true; htsim: false).'),
  headersInMtu: z
    .boolean()
    .default(false)
    .describe(
      'transport.mtuBytes is the whole packet, headers inside: the payload is mtuBytes − headers (RoCE 62 B, UET transport.headerBytes). Default false: mtuBytes is the payload.',
    ),
});

export const VariantSchema = z.strictObject({
  name: z.string().min(1).describe('The variant’s name: a column of the table, result.meta.name.'),
  set: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('Overrides as path: value, the paths --set takes (e.g. transport.kind: uet).'),
});

/** A further traffic class: its own transport (and so its priority) and workload, sharing the fabric. */
export const ClassSchema = z.strictObject({
  name: z.string().min(1).describe('The class’s name in results (classes[], per-class summaries).'),
  transport: TransportSchema.describe('Its transport; its priority puts it in its own data class.'),
  workload: WorkloadSchema.describe('Its flows, on the same hosts as the scenario’s own.'),
});

export const ScenarioSchema = z.strictObject({
  name: z.string().default('scenario').describe('Shown in the tables and in result.meta.name.'),
  description: z.string().optional().describe('Free text.'),
  seed: nonNegInt('a seed, an integer ≥ 0')
    .default(1)
    .describe('Every random choice (ECMP hashes, RED marks, entropy values, workloads) derives from it.'),
  topology: TopologySchema.describe('The switches, the hosts and how they are linked.'),
  links: LinksSchema,
  switch: SwitchSchema,
  transport: TransportSchema.describe('The transport every flow uses.'),
  workload: WorkloadSchema,
  // load.ts expands the preset before validation.
  preset: z
    .enum(['roce-ar'], { error: 'expected one of: roce-ar' })
    .optional()
    .describe(
      'roce-ar: RoCE with out-of-order placement over switches with adaptive routing (transport.kind roce, placement ooo, routing.mode adaptive).',
    ),
  routing: RoutingSchema.optional(),
  faults: z.array(FaultSchema).optional().describe('Failures on a schedule (docs/faults.md).'),
  stop: StopSchema,
  metrics: MetricsSchema,
  engine: EngineSchema,
  /** More traffic classes on the same fabric, each with its own transport and priority, beside the
   *  scenario's own transport and workload (docs/fabric-shapes.md "Traffic classes"). */
  classes: z
    .array(ClassSchema)
    .min(1)
    .max(3, { error: 'expected at most 3 further classes' })
    .optional()
    .describe('Further traffic classes sharing the fabric, each with its own transport, priority and workload.'),
  // Optional rather than defaulted: a scenario that leaves it out keeps its hash and results.
  wire: WireSchema.optional().describe('Wire accounting for exact comparisons: preamble/IFG, headers inside the MTU.'),
  compare: z
    .array(VariantSchema)
    .optional()
    .describe('Variants of this scenario to run side by side, each a name and overrides.'),
  sweep: z
    .record(z.string(), z.array(z.unknown()).min(1))
    .optional()
    .describe('A grid: paths (as --set takes them) to lists of values; ethersim sweep runs every combination.'),
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
