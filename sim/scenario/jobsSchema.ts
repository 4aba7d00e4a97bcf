import { z } from 'zod';
import { nonNeg, nonNegInt, posInt, positive, timeUs } from './fields.ts';

/**
 * Workload items for AI-training traffic (docs/collectives.md): a single collective, a job (ranks
 * placed on hosts, a sequence of collectives and compute gaps, iterations) and a Chakra trace
 * replay. Part of the scenario schema (schema.ts imports it).
 */

const hostId = nonNegInt('a host index ≥ 0');

/** Where a job's ranks run (sim/workload/collectives/placement.ts). */
export const placementShape = {
  /** Number of ranks (default: every host, or the length of hosts). */
  ranks: posInt().optional(),
  /** Explicit hosts, rank i on hosts[i] (placement is then not used). */
  hosts: z.array(hostId).min(1).optional(),
  placement: z
    .enum(['contiguous', 'strided', 'random', 'railAligned'], {
      error: 'expected one of: contiguous, strided, random, railAligned',
    })
    .default('contiguous'),
  /** contiguous, strided: the first rank's host. */
  firstHost: nonNegInt().default(0),
  /** strided: hosts between consecutive ranks (default ⌊hosts / ranks⌋). */
  stride: posInt().optional(),
  /** GPUs (ranks) per server: railAligned puts local rank j of every server on leaf j. */
  gpusPerNode: posInt().optional(),
};

const HierarchySchema = z
  .strictObject({
    /** Ranks per node: the intra-node reduce-scatter / all-gather is not simulated. */
    gpusPerNode: posInt(),
    /** Each intra-node step takes this long … */
    intraDelayUs: timeUs(true).optional(),
    /** … or (m−1)/m · S at this rate (NVLink-class, e.g. 3600 Gb/s). */
    intraRateGbps: positive().optional(),
  })
  .refine((h) => (h.intraDelayUs === undefined) !== (h.intraRateGbps === undefined), {
    error: 'expected exactly one of intraDelayUs, intraRateGbps',
  });

const COLLECTIVES = ['allReduce', 'reduceScatter', 'allGather', 'allToAll', 'broadcast'] as const;
const ALGORITHMS = ['ring', 'halvingDoubling', 'doubleBinaryTree', 'pairwise', 'direct', 'binomial'] as const;

/** One collective call (sim/workload/collectives/algorithms.ts). */
export const collectiveShape = {
  op: z.enum(COLLECTIVES, { error: `expected one of: ${COLLECTIVES.join(', ')}` }),
  /** Default: ring (allToAll: pairwise). */
  algorithm: z.enum(ALGORITHMS, { error: `expected one of: ${ALGORITHMS.join(', ')}` }).optional(),
  /** nccl-tests' size: AR the buffer, RS the per-rank input, AG the per-rank output, A2A the whole send buffer, broadcast the root's buffer. */
  sizeBytes: posInt(),
  /** Parallel rings/trees, each on its share of the data (default 1; doubleBinaryTree 2, one per tree). */
  channels: posInt().max(64, { error: 'expected 1 to 64 channels' }).optional(),
  /** Pipeline chunks per channel, sent in order (default 1). */
  chunks: posInt().max(4096, { error: 'expected 1 to 4096 chunks' }).default(1),
  /** Broadcast root (a rank). */
  root: nonNegInt().default(0),
  hierarchy: HierarchySchema.optional(),
};

const CollectiveOpSchema = z.strictObject({ ...collectiveShape, name: z.string().min(1).optional() });

const DistSchema = z.discriminatedUnion(
  'dist',
  [
    z.strictObject({ dist: z.literal('uniform'), minUs: timeUs(true), maxUs: timeUs(true) }),
    z.strictObject({ dist: z.literal('normal'), meanUs: timeUs(true), sdUs: timeUs(true) }),
    z.strictObject({ dist: z.literal('exponential'), meanUs: timeUs() }),
  ],
  { error: 'expected dist to be one of: uniform, normal, exponential' },
);

const ComputeOpSchema = z.strictObject({
  op: z.literal('compute'),
  /** A fixed time, or a distribution drawn once per iteration (per rank with perRank). */
  timeUs: z.union([nonNeg('a time in µs ≥ 0'), DistSchema]),
  /** Draw the time for every rank separately (stragglers) instead of once for the job. */
  perRank: z.boolean().default(false),
});

export const JobOpSchema = z.union([ComputeOpSchema, CollectiveOpSchema], {
  error: `expected an op: compute or one of ${COLLECTIVES.join(', ')}`,
});

export const CollectiveItemSchema = z.strictObject({
  kind: z.literal('collective'),
  /** Shown in jobs[] (default collective-<item index>). */
  name: z.string().min(1).optional(),
  ...placementShape,
  ...collectiveShape,
  startUs: timeUs(true).default(0),
  iterations: posInt().default(1),
});

export const JobItemSchema = z.strictObject({
  kind: z.literal('job'),
  name: z.string().min(1),
  ...placementShape,
  startUs: timeUs(true).default(0),
  iterations: posInt().default(1),
  /** Run in order by every rank, once per iteration. */
  ops: z.array(JobOpSchema).min(1),
});

export const ChakraItemSchema = z.strictObject({
  kind: z.literal('chakra'),
  name: z.string().min(1).optional(),
  /** Trace files `<trace>.<rank>.et`, one per rank, relative to the scenario file. */
  trace: z.string().min(1),
  /** Communicator groups JSON `{"<pg_name>": [ranks]}` (default: every collective spans all ranks). */
  commGroups: z.string().min(1).optional(),
  ...placementShape,
  startUs: timeUs(true).default(0),
  /** Collective algorithms by collective (default ring; allToAll pairwise). */
  algorithms: z.partialRecord(z.enum(COLLECTIVES), z.enum(ALGORITHMS)).optional(),
  /** As for a collective: NCCL channels and pipeline chunks for every collective of the trace. */
  channels: posInt().max(64, { error: 'expected 1 to 64 channels' }).optional(),
  chunks: posInt().max(4096, { error: 'expected 1 to 4096 chunks' }).default(1),
});
