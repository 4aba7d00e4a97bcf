/**
 * Round-robin among a port's data classes (physics.md §1.1, HPCC `DoDequeueRR`): the first ready
 * class at or after `rr`, else the first ready class from 0. `ready` holds data-class bits only
 * (0 … PRIO.DATA_COUNT − 1) and is not 0. Bit arithmetic rather than a loop over the classes:
 * it runs for nearly every packet a port sends.
 */
export function roundRobinPick(ready: number, rr: number): number {
  const fromRr = ready & (-1 << rr);
  const pick = fromRr !== 0 ? fromRr : ready;
  return 31 - Math.clz32(pick & -pick);
}
