/**
 * Make the named number fields of `o` double-valued in V8's eyes from the start.
 *
 * Why: V8 stores a field that first holds a small integer as a tagged small integer (Smi). The
 * first non-integer, or an integer past 2^30, stored into it changes the field's representation,
 * so the object gets a new hidden class and every optimised function that relied on the old one
 * is thrown away ("wrong map" deoptimisations) and compiled again — on the 1024-host runs the
 * clock (Simulator.now), the event queue's pop time and its runner-up's sequence did this in
 * the first milliseconds, taking down a dozen hot functions at once (docs/architecture.md#the-hot-path).
 * Storing a double first, before any code is optimised, settles the representation. Values are
 * unchanged.
 */
export function doubleFields<T extends object>(o: T, ...keys: Array<keyof T & string>): void {
  const rec = o as Record<string, unknown>;
  for (const k of keys) {
    const v = rec[k];
    rec[k] = 0.5;
    rec[k] = v;
  }
}
