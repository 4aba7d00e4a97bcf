import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../tools/bench/benchArgs.ts';

describe('npm run bench arguments', () => {
  it('reads every option', () => {
    const a = parseBenchArgs([
      '--runs',
      '5',
      '--only',
      '1024',
      '--large',
      '--huge',
      '--json',
      '--profile',
      '--no-queue',
      '--no-analysis',
      '--sweep',
      '--tsx',
    ]);
    expect(a).toEqual({
      runs: 5,
      only: '1024',
      large: true,
      huge: true,
      json: true,
      profile: true,
      noQueue: true,
      noAnalysis: true,
      sweep: true,
      tsx: true,
      help: false,
    });
    expect(parseBenchArgs([]).runs).toBe(3);
    expect(parseBenchArgs(['-h']).help).toBe(true);
  });

  it('refuses a mistyped option or a bad value in one line, before anything runs', () => {
    expect(() => parseBenchArgs(['--rusn', '5'])).toThrow(
      /unknown option "--rusn" \(allowed: --runs N, --only TEXT, --large/,
    );
    expect(() => parseBenchArgs(['--runs'])).toThrow('--runs needs a whole number from 1 to 100, got nothing');
    expect(() => parseBenchArgs(['--runs', '2.5'])).toThrow('got "2.5"');
    expect(() => parseBenchArgs(['--runs', '0'])).toThrow('got "0"');
    expect(() => parseBenchArgs(['--only', '--json'])).toThrow('--only needs the text');
  });
});
