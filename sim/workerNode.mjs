// Node entry for the simulator's worker face: registers tsx (no build step) and loads
// sim/worker.ts, which exposes its comlink API on parentPort. Started by sim/workerClient.ts.
import { register } from 'tsx/esm/api';
register();
await import('./worker.ts');
