import { describe, expect, it } from 'vitest';
import { P, PK, PS, PS64, REC, PacketPool } from '../sim/net/packets.ts';
import { buildSimulation, runSimulation } from '../sim/run/run.ts';
import { estimateSize } from '../sim/scenario/estimate.ts';
import { bundled } from './helpers/scenario.ts';

describe('the packet pool (net/packets.ts)', () => {
  it('keeps every record, pause mark and free slot when it grows, and hands out clean records', () => {
    const pool = new PacketPool(16);
    const first = pool.i32;
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
    // The views are of the grown memory, records 64-byte strides from byte 0; the storage it
    // grew out of is left as it was, not detached (see grow).
    expect(pool.i32.length).toBe(8192 * REC.WORDS);
    expect(pool.side.buffer).toBe(pool.i32.buffer);
    expect(first.length).toBe(16 * REC.WORDS);
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

  it('reserves room for the estimated packets before the first allocation, and only then', () => {
    const pool = new PacketPool(16);
    pool.reserve(100_000);
    expect(pool.capacity).toBe(100_000);
    pool.reserve(10); // never shrinks
    expect(pool.capacity).toBe(100_000);
    pool.reserve(1e12); // capped
    expect(pool.capacity).toBe(PacketPool.RESERVE_MAX_PACKETS);
    const used = new PacketPool(16);
    used.alloc(PK.DATA, 0, 0, 1, 100, 0);
    used.reserve(100_000); // too late: it has packets
    expect(used.capacity).toBe(16);
  });
});

describe('the pool of a built simulation (run/run.ts)', () => {
  it("is reserved from the size estimate, which bounds the run's peak, so the pool never grows", () => {
    for (const name of ['permutation-uet.yaml', 'incast-roce.yaml']) {
      const sc = bundled(name);
      const s = buildSimulation(sc);
      const reserved = s.fabric.pool.capacity;
      expect(reserved).toBeGreaterThanOrEqual(estimateSize(sc).packets);
      runSimulation(s);
      expect(s.fabric.pool.highWater).toBeGreaterThan(0);
      expect(s.fabric.pool.highWater).toBeLessThanOrEqual(reserved);
      expect(s.fabric.pool.capacity).toBe(reserved);
    }
  });
});
