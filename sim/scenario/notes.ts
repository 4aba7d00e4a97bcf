import type { Scenario } from './schema.ts';

/**
 * Settings that are valid but most likely not what was meant, as one-line notes: the command
 * line prints them on stderr, the browser beside the scenario, and every run carries them in
 * `result.notes` (with what the run itself found: sim/run/runNotes.ts). The run goes ahead.
 */
export function scenarioNotes(s: Scenario): string[] {
  const out: string[] = [];
  const t = s.transport;
  const pfc = s.switch.pfc;
  // (PFC on with UET on a lossy class is no note: a fabric with a lossless class for RoCE and
  // UET beside it is the usual set-up, and what the bundled comparisons model.)
  const anyUet = t.kind === 'uet' || (s.classes ?? []).some((c) => c.transport.kind === 'uet');
  if (s.switch.trimming.enabled && !anyUet) {
    out.push(
      'switch.trimming: RoCE packets are never trimmed (only UET marks its packets trimmable), so trimming does nothing here',
    );
  }
  if (t.kind === 'roce' && t.mtuBytes > 4096) {
    out.push(
      `transport.mtuBytes: ${t.mtuBytes} is above 4096, the largest RoCE path MTU (InfiniBand MTUs are 256–4096 bytes)`,
    );
  }
  // Below 256 B (the smallest RoCE path MTU) headers outweigh the payload and every byte costs
  // a packet's events: a run of 1-byte packets moves 62× more header than data.
  if (t.mtuBytes < 256) {
    out.push(
      `transport.mtuBytes: ${t.mtuBytes} B of payload per packet is below 256, the smallest RoCE path MTU: headers dominate the wire and the run takes ${Math.round(4096 / t.mtuBytes)}× the events of 4096-byte packets`,
    );
  }
  const lossless = pfc.enabled && pfc.priorities.includes(t.priority);
  if (lossless && pfc.headroomBytes === 0) {
    out.push(
      'switch.pfc.headroomBytes: 0 leaves no room for the bytes in flight after a PAUSE (physics.md §1.2: 2 × rate × delay + 2 frames), so the lossless class will drop; use auto',
    );
  }
  if (t.kind === 'roce' && pfc.enabled && pfc.priorities.length > 0 && !pfc.priorities.includes(t.priority)) {
    out.push(
      `transport.priority: ${t.priority} is not in switch.pfc.priorities [${pfc.priorities.join(', ')}], so RoCE runs on a lossy class and go-back-N retransmits whatever is dropped`,
    );
  }
  if (t.kind === 'roce' && t.cc === 'dcqcn' && t.dcqcn.rateAiMbps === 0) {
    out.push(
      "transport.dcqcn.rateAiMbps: 0 adds nothing in additive increase: a flow's target rate then rises after a cut only in hyper increase, so bandwidth freed later is slow to be taken up, or never (physics.md §2.2)",
    );
  }
  return out;
}
