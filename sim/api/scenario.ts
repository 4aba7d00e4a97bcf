/**
 * The public API's scenario functions (browser-safe: no Node modules): parse and validate a
 * scenario from YAML or JSON text, or from an object, with `path=value` overrides and a seed.
 */
import { loadScenario, scenarioHash, scenarioVariants as variantsOf, ScenarioError } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';

export { ScenarioError, scenarioHash };

export interface ScenarioOptions {
  /** `path=value` overrides, as `ethersim run --set` takes them (e.g. `transport.cc=dcqcn`). */
  sets?: string[];
  /** Run with this seed instead of the scenario's. */
  seed?: number;
  /** The name errors give the input (default "scenario"; a file's path when read from one). */
  sourceName?: string;
}

/** Text (YAML or JSON) or an already parsed object → the `sets` overrides and the seed applied. */
function load(input: string | object, options: ScenarioOptions) {
  const text = typeof input === 'string' ? input : JSON.stringify(input);
  const sets = [...(options.sets ?? [])];
  if (options.seed !== undefined) sets.push(`seed=${options.seed}`);
  return loadScenario(text, options.sourceName ?? 'scenario', sets);
}

/**
 * Validate a scenario: YAML or JSON text, or an object. Returns it with every default filled in.
 * Throws a ScenarioError whose `lines` name each problem (`topology.hosts: expected …`).
 */
export function parseScenario(input: string | object, options: ScenarioOptions = {}): Scenario {
  return load(input, options).scenario;
}

/**
 * The scenarios a file with a `compare:` block asks to run side by side, one per variant (or
 * the scenario alone when it has no `compare:` block), validated.
 */
export function compareVariants(
  input: string | object,
  options: ScenarioOptions = {},
): Array<{ name: string; scenario: Scenario }> {
  return variantsOf(load(input, options));
}
