// The partition thread's entry without a bundle (esbuild unavailable): register tsx, then load
// the TypeScript module (sim/run/parallel/threads.ts falls back to this).
import { register } from 'tsx/esm/api';
register();
await import('./partitionWorker.ts');
