/**
 * Seed words for a named random stream: the first four int32 outputs of seedrandom's default
 * generator (David Bau's seedrandom 3.x, `seedrandom(text).int32()` four times) for `text`,
 * computed directly. That generator is RC4 keyed with the text's character codes and with its
 * first 256 outputs dropped ("RC4-drop[256]"); seedrandom also builds a closure and a string of
 * its state per call and, when it loads, mixes the platform's own random source into a pool and
 * loads node:crypto, for automatic seeds we never ask it for. Written out here, a stream costs a
 * fraction of that — it runs for every switch's ECMP seed, on the build's critical path
 * (docs/performance.md) — and the words are the same, so every result stays as it was
 * (tests/random.test.ts checks it against seedrandom).
 */

/** RC4's state size; the key and the outputs are bytes (mod 256). */
const WIDTH = 256;
const MASK = WIDTH - 1;

// Scratch state, reused: seeding is not re-entrant and allocates nothing.
const S = new Uint8Array(WIDTH);
const KEY = new Uint8Array(WIDTH);

/** The four int32 seed words for `text` (see above). */
export function arc4SeedWords(text: string): [number, number, number, number] {
  // The key: seedrandom's mixkey over a zeroed key; a text longer than 256 characters folds onto
  // the key's earlier bytes (its `smear`).
  const len = text.length;
  KEY.fill(0);
  let smear = 0;
  for (let j = 0; j < len; j++) {
    const k = j & MASK;
    smear ^= KEY[k] * 19;
    KEY[k] = (smear + text.charCodeAt(j)) & MASK;
  }
  const keyLen = len === 0 ? 1 : Math.min(len, WIDTH);
  // Key schedule.
  for (let i = 0; i < WIDTH; i++) S[i] = i;
  for (let i = 0, j = 0; i < WIDTH; i++) {
    const t = S[i];
    j = (j + KEY[i % keyLen] + t) & MASK;
    S[i] = S[j];
    S[j] = t;
  }
  // Drop the first 256 outputs, then four words of four bytes each, high byte first.
  let i = 0;
  let j = 0;
  const words: [number, number, number, number] = [0, 0, 0, 0];
  for (let n = -WIDTH; n < 16; n++) {
    i = (i + 1) & MASK;
    const t = S[i];
    j = (j + t) & MASK;
    S[i] = S[j];
    S[j] = t;
    if (n >= 0) {
      const w = n >> 2;
      words[w] = (words[w] << 8) | S[(S[i] + t) & MASK];
    }
  }
  return words;
}
