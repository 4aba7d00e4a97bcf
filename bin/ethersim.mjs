#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader so `npx ethersim` works after `npm ci`
// with no build step.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../sim/cli.ts');
process.exitCode = await main(process.argv.slice(2));
