import { z } from 'zod';
import { nonNegInt, posInt, positive, timeUs } from './fields.ts';

/**
 * Workload items for AI-training traffic (docs/collectives.md): a single collective, a job (ranks
 * placed on hosts, a sequence of collectives and compute gaps, iterations) and a Chakra trace
 * replay. Part of the scenario schema (schema.ts imports it).
 */

const hostId = nonNegInt('a host index ≥ 0');

/** Where a job's ranks run (sim/workload/collectives/placement.ts). */
export const placementShape = {
  ranks: posInt().optional().describe('Number of ranks (default: every host, or the length of hosts).'),
  hosts: z.array(hostId).min(1).optional().describe('Explicit hosts, rank i on hosts[i] (placement is then not used).'),
  placement: z
    .enum(['contiguous', 'strided', 'random', 'railAligned'], {
      error: 'expected one of: contiguous, strided, random, railAligned',
    })
    .default('contiguous')
    .describe(
      'How ranks map to hosts: contiguous from firstHost, strided by stride, random (seeded), railAligned (local rank j of every server on leaf j).',
    ),
  firstHost: nonNegInt().default(0).describe('contiguous, strided: the first rank’s host.'),
  stride: posInt().optional().describe('strided: hosts between consecutive ranks (default ⌊hosts / ranks⌋).'),
  gpusPerNode: posInt()
    .optional()
    .describe('GPUs (ranks) per server: railAligned puts local rank j of every server on leaf j.'),
};

const HierarchySchema = z
  .strictObject({
    gpusPerNode: posInt().describe('Ranks per node: the intra-node reduce-scatter / all-gather is not simulated.'),
    intraDelayUs: timeUs(true).optional().describe('Each intra-node step takes this long, in µs …'),
    intraRateGbps: positive().optional().describe('… or (m−1)/m · S at this rate, in Gb/s (NVLink-class, e.g. 3600).'),
  })
  .refine((h) => (h.intraDelayUs === undefined) !== (h.intraRateGbps === undefined), {
    error: 'expected exactly one of intraDelayUs, intraRateGbps',
  });

const COLLECTIVES = ['allReduce', 'reduceScatter', 'allGather', 'allToAll', 'broadcast'] as const;
const ALGORITHMS = ['ring', 'halvingDoubling', 'doubleBinaryTree', 'pairwise', 'direct', 'binomial'] as const;

/** One collective call (sim/workload/collectives/algorithms.ts). */
export const collectiveShape = {
  op: z.enum(COLLECTIVES, { error: `expected one of: ${COLLECTIVES.join(', ')}` }).describe('The collective.'),
  algorithm: z
    .enum(ALGORITHMS, { error: `expected one of: ${ALGORITHMS.join(', ')}` })
    .optional()
    .describe('How it is broken into transfers (default ring; allToAll: pairwise).'),
  sizeBytes: posInt().describe(
    'nccl-tests’ size: AR the buffer, RS the per-rank input, AG the per-rank output, A2A the whole send buffer, broadcast the root’s buffer.',
  ),
  channels: posInt()
    .max(64, { error: 'expected 1 to 64 channels' })
    .optional()
    .describe('Parallel rings/trees, each on its share of the data (default 1; doubleBinaryTree 2, one per tree).'),
  chunks: posInt()
    .max(4096, { error: 'expected 1 to 4096 chunks' })
    .default(1)
    .describe('Pipeline chunks per channel, sent in order.'),
  root: nonNegInt().default(0).describe('Broadcast root (a rank).'),
  hierarchy: HierarchySchema.optional().describe(
    'Hierarchical form: an intra-node step (not simulated) around the inter-node collective.',
  ),
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
  timeUs: z
    .union([timeUs(true), DistSchema])
    .describe('A fixed time in µs, or a distribution drawn once per iteration (per rank with perRank).'),
  perRank: z
    .boolean()
    .default(false)
    .describe('Draw the time for every rank separately (stragglers) instead of once for the job.'),
});

export const JobOpSchema = z.union([ComputeOpSchema, CollectiveOpSchema], {
  error: `expected an op: compute or one of ${COLLECTIVES.join(', ')}`,
});

export const CollectiveItemSchema = z.strictObject({
  kind: z.literal('collective'),
  name: z.string().min(1).optional().describe('Shown in jobs[] (default collective-<item index>).'),
  ...placementShape,
  ...collectiveShape,
  startUs: timeUs(true).default(0).describe('When the first iteration starts, in µs.'),
  iterations: posInt().default(1).describe('Times the collective runs, each after the previous one ends.'),
});

export const JobItemSchema = z.strictObject({
  kind: z.literal('job'),
  name: z.string().min(1).describe('The job’s name in jobs[].'),
  ...placementShape,
  startUs: timeUs(true).default(0).describe('When the job starts, in µs.'),
  iterations: posInt().default(1).describe('Times the ops run, in order.'),
  ops: z
    .array(JobOpSchema)
    .min(1)
    .describe('Run in order by every rank, once per iteration: collectives and compute gaps.'),
});

export const ChakraItemSchema = z.strictObject({
  kind: z.literal('chakra'),
  name: z.string().min(1).optional().describe('Shown in jobs[] (default the trace’s name).'),
  trace: z.string().min(1).describe('Trace files `<trace>.<rank>.et`, one per rank, relative to the scenario file.'),
  commGroups: z
    .string()
    .min(1)
    .optional()
    .describe('Communicator groups JSON `{"<pg_name>": [ranks]}` (default: every collective spans all ranks).'),
  ...placementShape,
  startUs: timeUs(true).default(0).describe('When the trace starts, in µs.'),
  algorithms: z
    .partialRecord(z.enum(COLLECTIVES), z.enum(ALGORITHMS))
    .optional()
    .describe('Collective algorithms by collective (default ring; allToAll pairwise).'),
  channels: posInt()
    .max(64, { error: 'expected 1 to 64 channels' })
    .optional()
    .describe('NCCL channels for every collective of the trace (as for a collective).'),
  chunks: posInt()
    .max(4096, { error: 'expected 1 to 4096 chunks' })
    .default(1)
    .describe('Pipeline chunks per channel for every collective of the trace.'),
});
