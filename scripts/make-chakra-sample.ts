/**
 * Writes the small Chakra trace bundled with scenarios/chakra-trace.yaml:
 * scenarios/traces/sample.<rank>.et for 8 ranks (npx tsx scripts/make-chakra-sample.ts).
 * Each rank: 50 µs of compute; an 8 MiB all-reduce; 20 µs of compute; a 1 MiB send to the next
 * rank and a receive from the previous one (tag 1); a 4 MiB all-to-all once both are done; 30 µs
 * of compute. The format: sim/workload/chakra/etReader.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { writeEt } from '../sim/workload/chakra/etReader.ts';

const RANKS = 8;
const [COMP, SEND, RECV, COLL] = [4, 5, 6, 7];
const ALL_REDUCE = 0;
const ALL_TO_ALL = 6;
const a = (name: string, v: Record<string, unknown>) => ({ name, ...v });
mkdirSync('scenarios/traces', { recursive: true });
for (let r = 0; r < RANKS; r++) {
  const nodes = [
    { id: 0, name: 'forward', type: COMP, duration_micros: 50, attr: [a('is_cpu_op', { bool_val: false })] },
    {
      id: 1,
      name: 'allreduce_grads',
      type: COLL,
      data_deps: [0],
      attr: [a('comm_type', { int64_val: ALL_REDUCE }), a('comm_size', { int64_val: 8 << 20 })],
    },
    { id: 2, name: 'optimizer', type: COMP, duration_micros: 20, data_deps: [1] },
    {
      id: 3,
      name: 'pp_send',
      type: SEND,
      data_deps: [2],
      attr: [
        a('comm_dst', { int32_val: (r + 1) % RANKS }),
        a('comm_size', { int64_val: 1 << 20 }),
        a('comm_tag', { int32_val: 1 }),
      ],
    },
    {
      id: 4,
      name: 'pp_recv',
      type: RECV,
      data_deps: [2],
      attr: [
        a('comm_src', { int32_val: (r + RANKS - 1) % RANKS }),
        a('comm_size', { int64_val: 1 << 20 }),
        a('comm_tag', { int32_val: 1 }),
      ],
    },
    {
      id: 5,
      name: 'moe_dispatch',
      type: COLL,
      data_deps: [3, 4],
      attr: [a('comm_type', { int64_val: ALL_TO_ALL }), a('comm_size', { int64_val: 4 << 20 })],
    },
    { id: 6, name: 'backward', type: COMP, duration_micros: 30, ctrl_deps: [5] },
  ];
  writeFileSync(`scenarios/traces/sample.${r}.et`, writeEt('0.0.4', nodes));
}
console.log(`wrote scenarios/traces/sample.0..${RANKS - 1}.et`);
