import { readFileSync } from 'node:fs';
import { ScenarioSchema, type Scenario, type ScenarioInput } from '../../sim/scenario/schema.ts';
import { parseScenario } from '../../sim/scenario/load.ts';

/** A validated scenario from an inline object (defaults applied). */
export function scenario(input: ScenarioInput): Scenario {
  return ScenarioSchema.parse(input);
}

/** A bundled scenario file with optional --set overrides. */
export function bundled(name: string, sets: string[] = []): Scenario {
  const path = `scenarios/${name}`;
  return parseScenario(readFileSync(path, 'utf8'), path, sets);
}
