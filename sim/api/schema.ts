/**
 * `ethersim/schema`: the scenario file's JSON Schema (draft 2020-12, input side: fields with
 * defaults are optional), for editors and for validating scenarios with other tools. The same
 * document is `ethersim/scenario.schema.json` and what `ethersim schema` prints.
 */
import { scenarioJsonSchema } from '../scenario/load.ts';

export const scenarioSchema: Record<string, unknown> = scenarioJsonSchema();
export default scenarioSchema;
