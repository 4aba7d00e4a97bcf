/**
 * vitest global setup: build dist/node/ (scripts/build.mjs) before any test when it is missing
 * or older than the sources, once, instead of in every CLI child process the tests start.
 */
interface BuildScript {
  isStale(): boolean;
  build(): Promise<void>;
}

export default async function setup(): Promise<void> {
  const script = '../../scripts/build.mjs';
  const { isStale, build } = (await import(script)) as BuildScript;
  if (isStale()) await build();
}
