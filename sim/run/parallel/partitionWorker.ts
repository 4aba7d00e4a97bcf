/**
 * A partition thread's entry as an ES module (the sources' bundle, tests and the benchmark):
 * run the thread's protocol at once. A built CLI starts its threads from the script build of
 * partitionThread.ts instead, with a V8 code cache (workerBundle.ts partitionThreadStart).
 */
import { runPartitionThread } from './partitionThread.ts';

runPartitionThread();
