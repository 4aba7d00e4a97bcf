// Node entry for the simulator's worker face: registers tsx (no build step) and loads
// sim/run/worker.ts, which exposes its comlink API on parentPort. Started by sim/run/workerClient.ts.
import { register } from 'tsx/esm/api';
register();
await import('./worker.ts');
