import type { WorkloadItem } from '../scenario/schema.ts';
import { cdfMean, loadCdf, sampleCdf } from './cdf.ts';
import { hostSet, nsToPs, type FlowSpec, type WorkloadContext } from './types.ts';
import { InputError } from '../scenario/inputError.ts';

type Poisson = Extract<WorkloadItem, { kind: 'poisson' }>;

/**
 * Open-loop Poisson arrivals at a target load, as HPCC traffic_gen.py (physics.md §5.1): every
 * host of the set starts flows with exponential inter-arrival times of mean
 * avgSize·8 / (hostRateBps·load) over [startNs, startNs + durationUs); each flow goes to a
 * uniformly chosen other host of the set, with a size drawn from the CDF. Host i draws from its
 * own stream `workload/poisson/host-<i>` (inter-arrival, then destination, then size).
 * Flows come out host by host; buildFlows sorts them by start time.
 */
export function poissonFlows(item: Poisson, ctx: WorkloadContext): FlowSpec[] {
  const hosts = hostSet(`${ctx.path}.hosts`, item.hosts, ctx.hostCount, 2);
  const cdf = loadCdf(item.cdf, ctx.readText, `${ctx.path}.cdf`);
  const avgBytes = cdfMean(cdf);
  if (!(ctx.hostRateBps > 0)) throw new InputError(`${ctx.path}: host link rate must be > 0`);
  const meanGapPs = ((avgBytes * 8) / (ctx.hostRateBps * item.load)) * 1e12;
  const startPs = nsToPs(item.startNs);
  const endPs = startPs + item.durationUs * 1e6;
  const m = hosts.length;
  const flows: FlowSpec[] = [];
  for (let k = 0; k < m; k++) {
    const src = hosts[k];
    const rng = ctx.streams.stream(`workload/poisson${ctx.streamSuffix}/host-${src}`);
    let t = startPs + rng.exp(meanGapPs);
    while (t < endPs) {
      let d = rng.int(m - 1);
      if (d >= k) d++;
      const sizeBytes = sampleCdf(cdf, rng.next());
      flows.push({ src, dst: hosts[d], sizeBytes, startPs: Math.round(t) });
      t += rng.exp(meanGapPs);
    }
  }
  // Zero arrivals is no run ("flows done 0 / 0" with exit 0 hid a load of 1e-300).
  if (flows.length === 0)
    throw new InputError(
      `${ctx.path}: the poisson workload generated no flows: at load ${item.load} a host starts a flow every ${(meanGapPs / 1e6).toPrecision(3)} µs on average, against durationUs ${item.durationUs}; raise load or durationUs`,
    );
  return flows;
}
