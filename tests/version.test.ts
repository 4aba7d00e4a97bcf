import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { VERSION } from '../sim/version.ts';

const ROOT = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string };

describe('version', () => {
  it("meta.version (sim/version.ts) is package.json's version", () => {
    expect(VERSION).toBe(pkg.version);
  });
  it('CHANGELOG.md has a section for it (Keep a Changelog)', () => {
    const log = readFileSync(resolve(ROOT, 'CHANGELOG.md'), 'utf8');
    expect(log).toMatch(/keepachangelog\.com/);
    expect(log.split('\n').filter((l) => l.startsWith('## '))).toContain(`## ${pkg.version}`);
  });
});
