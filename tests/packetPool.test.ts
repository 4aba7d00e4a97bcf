import { describe, expect, it } from 'vitest';
import { P, PK, PS, PS64, REC, PacketPool } from '../sim/net/packets.ts';

describe('the packet pool (net/packets.ts)', () => {
  it('keeps every record, pause mark and free slot when it grows in place, and hands out clean records', () => {
    const pool = new PacketPool(16);
    const n = 5000; // past 16 → 8192: nine doublings
    for (let i = 0; i < n; i++) {
      const p = pool.alloc(PK.DATA, i, i + 1, i + 2, 1000 + i, 3);
      expect(p).toBe(i);
      pool.side[(p << REC.SHIFT) + PS.PSN] = 7 * i;
      pool.sideF64[(p << REC.F64_SHIFT) + PS64.SENT_PS] = 0.5 * i;
      pool.pauseMark[p] = i + 0.25;
    }
    expect(pool.capacity).toBe(8192);
    expect(pool.live).toBe(n);
    // The views are of the grown memory, records 64-byte strides from byte 0.
    expect(pool.i32.length).toBe(8192 * REC.WORDS);
    expect(pool.side.buffer).toBe(pool.i32.buffer);
    for (const i of [0, 15, 16, 1023, 4999]) {
      const b = i << REC.SHIFT;
      expect(pool.i32[b + P.FLOW]).toBe(i);
      expect(pool.i32[b + P.DST]).toBe(i + 2);
      expect(pool.i32[b + P.BYTES]).toBe(1000 + i);
      expect(pool.i32[b + P.KIND] >> P.PRIO_SHIFT).toBe(3);
      expect(pool.side[b + PS.SRC]).toBe(i + 1);
      expect(pool.side[b + PS.PSN]).toBe(7 * i);
      expect(pool.sideF64[(i << REC.F64_SHIFT) + PS64.SENT_PS]).toBe(0.5 * i);
      expect(pool.pauseMark[i]).toBe(i + 0.25);
    }
    // Released slots come back most recent first, with no state of their previous life.
    pool.release(10);
    pool.release(4000);
    expect(pool.alloc(PK.ACK, 1, 2, 3, 64, 7)).toBe(4000);
    expect(pool.pauseMark[4000]).toBe(0);
    expect(pool.side[(4000 << REC.SHIFT) + PS.PSN]).toBe(0);
    expect(pool.sideF64[(4000 << REC.F64_SHIFT) + PS64.SENT_PS]).toBe(0);
    expect(pool.alloc(PK.ACK, 1, 2, 3, 64, 7)).toBe(10);
    // Slots never used before the growth read zero (new pages).
    expect(pool.alloc(PK.DATA, 9, 9, 9, 9, 0)).toBe(n);
    expect(pool.pauseMark[n]).toBe(0);
    expect(pool.i32[((n + 1) << REC.SHIFT) + P.FLOW]).toBe(0);
  });
});
