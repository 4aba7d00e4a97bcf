// `run --out` writes result.json atomically (a temporary file, then a rename): a process killed
// mid-write leaves the previous result.json whole, never a truncated, unparseable one. The kill
// is simulated by a writeFileSync that writes a prefix and throws, for files named result.json*.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const kill = { on: false };
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const write = (path: unknown, data: unknown, ...rest: unknown[]) => {
    if (kill.on && /result\.json/.test(String(path))) {
      fs.writeFileSync(path as string, String(data).slice(0, 100));
      throw new Error('killed mid-write');
    }
    return (fs.writeFileSync as (...a: unknown[]) => void)(path, data, ...rest);
  };
  return { ...fs, default: { ...fs, writeFileSync: write }, writeFileSync: write };
});

const { main } = await import('../sim/cli/main.ts');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ethersim-atomic-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run --out', () => {
  it('a kill while result.json is written leaves the previous one whole', async () => {
    writeFileSync(
      join(dir, 's.yaml'),
      'name: tiny\ntopology: { kind: star, hosts: 4 }\ntransport: { kind: roce }\nworkload: { kind: incast, senders: 3, sizeBytes: 40960 }\n',
    );
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out', 'result.json'), '{"previous":true}\n');
    const io = { stdout: () => {}, stderr: () => {}, stderrIsTTY: false, env: {}, cwd: dir };
    kill.on = true;
    const code = await main(['run', 's.yaml', '--out', 'out', '--quiet'], io);
    kill.on = false;
    expect(code).toBe(1);
    expect(JSON.parse(readFileSync(join(dir, 'out', 'result.json'), 'utf8'))).toEqual({ previous: true });
  });
});
