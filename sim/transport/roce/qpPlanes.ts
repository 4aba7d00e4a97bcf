import type { FlowSpec } from '../../workload/types.ts';
import { ecmpIndex } from '../../net/routing.ts';
import { InputError } from '../../scenario/inputError.ts';

/** RoCE QPs over a multi-plane fabric: each QP's spec on its plane's NIC nodes, and where it came from. */
export interface PlaneQps {
  /** The QPs, their endpoints on their plane's NIC nodes (host + plane × hostsPerPlane). */
  specs: FlowSpec[];
  /** Per QP: its plane. */
  plane: Int8Array;
  /** Per QP: the workload flow it carries part of (multipath), or its own index. */
  parent: Int32Array;
}

/**
 * Split each flow into one QP per plane, bytes as even as whole bytes allow (the first
 * size mod P QPs one byte more; a flow smaller than P bytes gets one QP per byte): the multi-path
 * option (docs/fabric-shapes.md "Planes"). Flows that wait on another cannot be split (a QP
 * would have to wait on several).
 */
export function splitAcrossPlanes(
  flows: FlowSpec[],
  planes: number,
): { specs: FlowSpec[]; parent: Int32Array; plane: Int8Array } {
  if (flows.some((f) => f.after !== undefined || f.deps !== undefined || f.job !== undefined))
    throw new InputError(
      'transport.multipath: true cannot split flows that wait on others or belong to a job (ringAllReduce steps, collectives, jobs, traces); use multipath: false',
    );
  const specs: FlowSpec[] = [];
  const parent: number[] = [];
  const plane: number[] = [];
  flows.forEach((f, i) => {
    const base = Math.floor(f.sizeBytes / planes);
    const extra = f.sizeBytes - base * planes;
    for (let p = 0; p < planes; p++) {
      const size = base + (p < extra ? 1 : 0);
      if (size === 0) continue;
      specs.push({ src: f.src, dst: f.dst, sizeBytes: size, startPs: f.startPs });
      parent.push(i);
      plane.push(p);
    }
  });
  return { specs, parent: Int32Array.from(parent), plane: Int8Array.from(plane) };
}

/**
 * Put RoCE QPs on planes. Without multipath each QP is bound to the plane its hash names: the
 * NIC hashes the QP (its UDP source port `evs[q]`, the entropy ECMP uses too) with a seed of its
 * own, so two QPs of a host can land on one plane while another plane's port idles (the
 * collisions fabric-realism §6 warns of). With multipath the planes were chosen by the split.
 * Endpoints move onto the plane's NIC nodes.
 */
export function bindQps(
  specs: FlowSpec[],
  evs: Int32Array,
  planes: number,
  hostsPerPlane: number,
  seed: number,
  split: { parent: Int32Array; plane: Int8Array } | null,
): PlaneQps {
  const plane = split?.plane ?? Int8Array.from(specs, (_, q) => ecmpIndex(q, evs[q], seed, planes));
  const parent = split?.parent ?? Int32Array.from(specs, (_, q) => q);
  const moved = specs.map((f, q) => ({
    ...f,
    src: f.src + plane[q] * hostsPerPlane,
    dst: f.dst + plane[q] * hostsPerPlane,
  }));
  return { specs: moved, plane, parent };
}
