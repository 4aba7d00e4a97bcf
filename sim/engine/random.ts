import { arc4SeedWords } from './arc4Seed.ts';

/**
 * A small, fast generator (sfc32, state in a Uint32Array) for per-packet draws such as
 * spraying entropy and RED marking. performance.md: sfc32 ≈ 388 M draws/s vs 29 M for
 * seedrandom's default ARC4, so ARC4 only derives the seeds (arc4Seed.ts).
 */
export class Rng {
  private readonly s = new Uint32Array(4);

  constructor(seedWords: ArrayLike<number>) {
    for (let i = 0; i < 4; i++) this.s[i] = seedWords[i] >>> 0;
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[3] = 1;
    for (let i = 0; i < 15; i++) this.uint32(); // mix the seed in
  }

  /** Uniform 32-bit unsigned integer. */
  uint32(): number {
    const s = this.s;
    const t = (((s[0] + s[1]) >>> 0) + s[3]) >>> 0;
    s[3] = (s[3] + 1) >>> 0;
    s[0] = s[1] ^ (s[1] >>> 9);
    s[1] = (s[2] + (s[2] << 3)) >>> 0;
    s[2] = ((s[2] << 21) | (s[2] >>> 11)) >>> 0;
    s[2] = (s[2] + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Exponential variate with the given mean. */
  exp(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(a: T[] | Int32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}

/**
 * Named random streams derived from one scenario seed (docs/architecture.md#determinism): every
 * component draws from `streams.stream('ecmp/switch-12')`, so adding a component never
 * shifts another component's numbers.
 */
export class RandomStreams {
  constructor(readonly seed: number) {}

  stream(name: string): Rng {
    return new Rng(arc4SeedWords(`ethersim:${this.seed}:${name}`));
  }
}
