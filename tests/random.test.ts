import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { arc4SeedWords } from '../sim/engine/arc4Seed.ts';
import { RandomStreams } from '../sim/engine/random.ts';

/** seedrandom's four int32 outputs for `text`: what arc4SeedWords must give. */
function reference(text: string): number[] {
  const prng = seedrandom(text);
  return [prng.int32(), prng.int32(), prng.int32(), prng.int32()];
}

describe('stream seeds (engine/arc4Seed.ts)', () => {
  it("are seedrandom's words for the names a run derives, so results do not change", () => {
    const names: string[] = [];
    for (const seed of [1, 2, 3, 42, 1234567]) {
      for (let n = 0; n < 300; n++) names.push(`ethersim:${seed}:ecmp/sw-${n}`);
      for (const x of ['ecn/red', 'ecn/red#p1', 'workload/permutation', 'roce/qp-source-port', 'faults/select'])
        names.push(`ethersim:${seed}:${x}`);
    }
    for (const text of names) expect(arc4SeedWords(text)).toEqual(reference(text));
  });

  it('match seedrandom on the edge cases of its key: empty, longer than 256 characters, non-Latin-1', () => {
    const long = Array.from({ length: 700 }, (_, i) => String.fromCharCode(33 + ((i * 7) % 90))).join('');
    for (const text of ['', 'a', long, long.slice(0, 256), long.slice(0, 257), 'ü→网络', '\u0000\uffff'])
      expect(arc4SeedWords(text)).toEqual(reference(text));
  });

  it('give each named stream its own sequence, the same on every call', () => {
    const s = new RandomStreams(7);
    const a = [s.stream('x').uint32(), s.stream('x').uint32()];
    expect(a[0]).toBe(a[1]);
    expect(s.stream('y').uint32()).not.toBe(a[0]);
    expect(new RandomStreams(8).stream('x').uint32()).not.toBe(a[0]);
  });
});
