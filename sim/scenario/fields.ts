import { z } from 'zod';

/**
 * Field builders the scenario schemas share: each error says what was expected.
 *
 * Each builder returns one schema per distinct argument, built on first use: zod schemas are
 * immutable (`.optional()`, `.describe()` make new ones), so fields can share a base, and every
 * check a chain adds is a clone that runs zod's initialisers again. Building the scenario schema
 * is part of every command's start (docs/performance.md, "Start-up and warm-up").
 */
function shared<A extends unknown[], S>(build: (...args: A) => S): (...args: A) => S {
  const built = new Map<string, S>();
  return (...args: A) => {
    const key = args.join('\u0000');
    let s = built.get(key);
    if (s === undefined) {
      s = build(...args);
      built.set(key, s);
    }
    return s;
  };
}

export const posInt = shared((what: string = 'a positive integer') =>
  z
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what}` })
    .positive({ error: `expected ${what}` }),
);
export const nonNegInt = shared((what: string = 'an integer ≥ 0') =>
  z
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what}` })
    .nonnegative({ error: `expected ${what}` }),
);
export const nonNeg = shared((what: string = 'a number ≥ 0') =>
  z.number({ error: `expected ${what}` }).nonnegative({ error: `expected ${what}` }),
);
export const positive = shared((what: string = 'a number > 0') =>
  z.number({ error: `expected ${what}` }).positive({ error: `expected ${what}` }),
);
export const fraction = shared((what: string = 'a number in [0, 1]') =>
  z
    .number({ error: `expected ${what}` })
    .min(0, { error: `expected ${what}` })
    .max(1, { error: `expected ${what}` }),
);

/**
 * The simulator's exact time range: times are integer picoseconds in a double, exact up to
 * 2^53 ps ≈ 9,007 s. Every time in a scenario must fit in 9,000 s, or events at such a time lose
 * their order (a flow starting at 1e300 ns once made a run step 15 M simulated seconds per wall
 * second, forever).
 */
export const MAX_TIME_S = 9000;
const timeMsg = (unit: 'ns' | 'µs', lo: string) =>
  `expected a time in ${unit} ${lo}, at most ${unit === 'ns' ? '9e12' : '9e9'} (${MAX_TIME_S} s, the simulator's exact range)`;
/** A time in ns, ≥ 0 (or ≥ `min`), within the simulator's range. */
export const timeNs = shared((min: number = 0) =>
  z
    .number({ error: timeMsg('ns', min === 0 ? '≥ 0' : `≥ ${min}`) })
    .min(min, { error: timeMsg('ns', min === 0 ? '≥ 0' : `≥ ${min}`) })
    .max(MAX_TIME_S * 1e9, { error: timeMsg('ns', min === 0 ? '≥ 0' : `≥ ${min}`) }),
);
/** A time in µs, > 0 (or ≥ 0 with `zero`), within the simulator's range. */
export const timeUs = shared((zero: boolean = false) => {
  const error = timeMsg('µs', zero ? '≥ 0' : '> 0');
  const n = z.number({ error });
  // Bounds as checks, not refinements, so the field reference and the JSON Schema show them.
  return (zero ? n.min(0, { error }) : n.gt(0, { error })).max(MAX_TIME_S * 1e6, { error });
});
