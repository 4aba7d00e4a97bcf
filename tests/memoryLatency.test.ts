import { describe, expect, it } from 'vitest';
import { lineCycle } from '../tools/bench/memoryLatency.ts';

describe('the bench memory line', () => {
  it('chases every line of the array once per cycle', () => {
    const a = lineCycle(1); // 16,384 lines of 16 words
    const lines = a.length / 16;
    const seen = new Uint8Array(lines);
    let p = 0;
    for (let k = 0; k < lines; k++) {
      expect(p % 16).toBe(0);
      seen[p / 16]++;
      p = a[p];
    }
    expect(p).toBe(0);
    expect(seen.every((v) => v === 1)).toBe(true);
  });
});
