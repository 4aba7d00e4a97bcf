// Run by scripts/build.mjs after a build of dist/node/ (node scripts/trainCodeCache.cjs DIST ROOT):
// write the V8 code caches of cli.cjs and partitionThread.cjs from a fixed set of small runs,
// so that how fast later commands start does not depend on which command happened to run
// first after the build.
//
// Why: bin/codeCache.cjs saves a script's cache after the first run that finds none, and the
// cache holds the functions compiled in that run. After `ethersim validate` or `schema` it
// lacks the simulator and every later run compiles it again; after a run under `--cpu-prof`
// it lacked the bundle's own wrapper function, and every later command re-parsed the 1.5 MB
// script (28 ms more "module load"; docs/performance.md, "Start-up and warm-up").
//
// The training runs cover both transports, the congestion analysis and a threaded partitioned
// run (whose thread saves partitionThread.cjs's cache): the bundled incast scenarios, about a
// second in all (the build took 0.64 s without them, 1.53 s with).
const { join } = require('node:path');
const { loadWithCodeCache } = require('../bin/codeCache.cjs');

const [dist, root] = process.argv.slice(2);
const scenario = (name) => join(root, 'scenarios', name);
const RUNS = [
  // RoCE with PFC and UET with trimming side by side (a compare: block runs in this thread).
  ['run', scenario('incast-roce-vs-uet.yaml'), '--quiet'],
  // A partitioned run on two threads: the thread loads partitionThread.cjs and saves its cache.
  ['run', scenario('incast-uet.yaml'), '--quiet', '--set', 'engine.partitions=2', '--set', 'engine.threads=2'],
];

const { exports: cli, save } = loadWithCodeCache(join(dist, 'cli.cjs'));
(async () => {
  for (const args of RUNS) {
    const code = await cli.main(args);
    if (code !== 0) throw new Error(`ethersim ${args.join(' ')}: exit ${code}`);
  }
  save();
})().catch((e) => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exitCode = 1;
});
