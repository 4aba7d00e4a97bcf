import { describe, expect, it } from 'vitest';
import { readEt, writeEt, latin1Bytes } from '../sim/workload/chakra/etReader.ts';
import { buildSimulation, collectResult, runSimulation } from '../sim/run/run.ts';
import { scenario } from './helpers/scenario.ts';
import type { ScenarioInput } from '../sim/scenario/schema.ts';

// The minimal 2-rank trace of docs/reference/collectives.md §4: a 100 µs compute node, an
// all-reduce of 1 MiB after it, then a 64 KiB send 0 → 1 (tag 7) after the all-reduce.
const COMP = 4;
const SEND = 5;
const RECV = 6;
const COLL = 7;
const attr = (name: string, v: Record<string, unknown>) => ({ name, ...v });
function rank(r: number) {
  return writeEt('0.0.4', [
    { id: 0, name: 'fwd', type: COMP, duration_micros: 100, attr: [attr('is_cpu_op', { bool_val: false })] },
    {
      id: 1,
      name: 'grads',
      type: COLL,
      data_deps: [0],
      attr: [attr('comm_type', { int64_val: 0 }), attr('comm_size', { int64_val: 1_048_576 })],
    },
    {
      id: 2,
      name: 'p2p',
      type: r === 0 ? SEND : RECV,
      data_deps: [1],
      attr: [
        attr(r === 0 ? 'comm_dst' : 'comm_src', { int32_val: 1 - r }),
        attr('comm_size', { int64_val: 65_536 }),
        attr('comm_tag', { int32_val: 7 }),
      ],
    },
    // rank 1: 20 µs of compute after the receive, then nothing (ctrl_deps)
    ...(r === 1 ? [{ id: 3, name: 'bwd', type: COMP, duration_micros: 20, ctrl_deps: [2] }] : []),
  ]);
}
const files = new Map([0, 1].map((r) => [`t.${r}.et`, rank(r)]));
const readText = (p: string, encoding?: string) => {
  const b = files.get(p);
  if (!b) throw new Error(`cannot read ${p}`);
  expect(encoding).toBe('latin1');
  return String.fromCharCode(...b);
};

const base: ScenarioInput = {
  topology: { kind: 'star', hosts: 4 },
  links: { host: { rateGbps: 400, delayNs: 1000 } },
  transport: { kind: 'roce' },
  workload: { kind: 'chakra', name: 'trace', trace: 't', ranks: 2, firstHost: 1 },
};

describe('Chakra execution traces', () => {
  it('reads the framing: GlobalMetadata then length-delimited nodes, as ASTRA-sim’s files start', () => {
    const b = files.get('t.0.et')!;
    // 07 0a 05 "0.0.4": a 7-byte GlobalMetadata whose version is "0.0.4"
    expect([...b.slice(0, 8)]).toEqual([0x07, 0x0a, 0x05, ...Buffer.from('0.0.4')]);
    const t = readEt(latin1Bytes(String.fromCharCode(...b)), 't.0.et');
    expect(t.version).toBe('0.0.4');
    expect(t.nodes.map((n) => [n.id, n.type, n.deps])).toEqual([
      [0, COMP, []],
      [1, COLL, [0]],
      [2, SEND, [1]],
    ]);
    expect(t.nodes[1].attrs.get('comm_size')).toBe(1_048_576);
    expect(t.nodes[1].attrs.get('comm_type')).toBe(0);
    expect(() => readEt(new Uint8Array([0x1f, 0x8b, 0]), 'x.et')).toThrow(/gzip/);
    expect(() => readEt(new Uint8Array([0x05, 0xff]), 'x.et')).toThrow(/x.et: not a Chakra execution trace/);
  });

  it('runs a collective and a dependent send/recv with every dependency respected', () => {
    const s = buildSimulation(scenario(base), { readText });
    runSimulation(s);
    const r = collectResult(s, 'idle');
    const job = r.jobs![0];
    expect(job.kind).toBe('chakra');
    expect(job.hosts).toEqual([1, 2]);
    const [ar, p2p] = job.collectives;
    expect(ar.kind).toBe('allReduce');
    expect(ar.sizeBytes).toBe(1_048_576);
    expect(p2p.kind).toBe('sendRecv');
    const end = (f: (typeof r.flows)[number]) => f.startPs + f.fctPs;
    const arFlows = r.flows.filter((f) => f.op === 0);
    const p2pFlows = r.flows.filter((f) => f.op === 1);
    expect(arFlows).toHaveLength(4); // 2-rank ring: 2(n−1) = 2 sends of S/2 by each rank
    expect(arFlows.every((f) => f.sizeBytes === 524_288)).toBe(true);
    expect(p2pFlows).toHaveLength(1);
    // the all-reduce starts when the 100 µs compute node ends, exactly
    const step0 = arFlows.filter((f) => f.step === 0);
    expect(step0).toHaveLength(2);
    for (const f of step0) expect(f.startPs).toBe(100e6);
    // the second ring step waits for both first-step transfers (its own and the one into its rank)
    for (const f of arFlows.filter((g) => g.step === 1)) expect(f.startPs).toBe(Math.max(...step0.map(end)));
    expect(ar.startPs).toBe(100e6);
    // the send starts when both ranks' parts of the all-reduce are done: the last of its transfers
    const arEnd = Math.max(...arFlows.map(end));
    expect(p2pFlows[0].startPs).toBe(arEnd);
    expect(ar.endPs).toBe(arEnd);
    expect(p2pFlows[0].src).toBe(1);
    expect(p2pFlows[0].dst).toBe(2);
    expect(p2pFlows[0].sizeBytes).toBe(65_536);
    expect(end(p2pFlows[0])).toBeGreaterThan(p2pFlows[0].startPs);
    // rank 1 ends 20 µs of compute after the receive: the job's end
    expect(job.endPs).toBe(end(p2pFlows[0]) + 20e6);
    // ideal (§4): 100 µs + (1 MiB + 64 KiB) at 50 GB/s ≈ 122.28 µs at α = 0, + 20 µs of compute;
    // here each of the 3 dependent transfers adds its latency (≈ 4.5 µs) and headers
    expect(job.completionPs / 1e6).toBeGreaterThan(142.28);
    expect(job.completionPs / 1e6).toBeLessThan(142.28 + 3 * 6);
  });

  it('refuses a trace whose receive has no send, naming the key', () => {
    files.set(
      'u.0.et',
      writeEt('0.0.4', [
        { id: 0, type: RECV, attr: [attr('comm_src', { int32_val: 1 }), attr('comm_size', { int64_val: 8 })] },
      ]),
    );
    files.set('u.1.et', writeEt('0.0.4', []));
    expect(() =>
      buildSimulation(scenario({ ...base, workload: { kind: 'chakra', trace: 'u', ranks: 2 } }), { readText }),
    ).toThrow(/1 receives but no send for 1>0#0/);
  });
});

describe('the bundled trace (scenarios/chakra-trace.yaml)', () => {
  it('builds: per rank an all-reduce, a send and a receive, an all-to-all, in dependency order', async () => {
    const { readFileSync } = await import('node:fs');
    const { bundled } = await import('./helpers/scenario.ts');
    const { buildWorkload } = await import('../sim/workload/index.ts');
    const { RandomStreams } = await import('../sim/engine/random.ts');
    const s = bundled('chakra-trace.yaml');
    const read = (p: string, enc?: 'utf8' | 'latin1') => readFileSync(`scenarios/${p}`, enc ?? 'utf8');
    const { jobs, flows } = buildWorkload(s.workload, 16, 400e9, new RandomStreams(1), read);
    const ops = jobs[0].ops;
    expect(ops.map((o) => o.kind)).toEqual(['allReduce', ...Array(8).fill('sendRecv'), 'allToAll']);
    expect(ops[0].sizeBytes).toBe(8 << 20);
    expect(ops[9].sizeBytes).toBe(4 << 20);
    // every transfer's dependencies come before it, and the all-to-all waits on the send/recvs
    flows.forEach((f, i) => {
      for (const d of f.deps ?? []) expect(d).toBeLessThan(i);
    });
    expect(jobs[0].hosts).toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
  });
});
