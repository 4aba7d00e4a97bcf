// A partition thread that dies as its run starts (tests/partition.test.ts): it builds its
// partition and reports ready as a real one does, then exits at the 'go' message.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';
register();
parentPort.once('message', () => process.exit(9));
await import('../../sim/run/parallel/partitionWorker.ts');
