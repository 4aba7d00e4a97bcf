import { describe, expect, it } from 'vitest';
import { CodeMap, UNMAPPED, attribute } from '../tools/bench/instructionProfile.ts';

describe('instruction profile (bench --profile)', () => {
  it('sums callgrind costs by JIT function and native function, skipping the inclusive cost of calls', () => {
    // Two JIT functions in V8's map; native code named by callgrind; JIT code outside the map.
    const jit = new CodeMap(
      [0x1000, 0x2000],
      [0x1100, 0x2100],
      ['startTx (net/fabric.ts)', 'pop (engine/laneQueue.ts)'],
    );
    const text = [
      '# callgrind format',
      'positions: instr line',
      'events: Ir',
      '',
      'ob=(1) /usr/bin/node',
      'fn=(1) v8::internal::Heap::Scavenge()',
      '0x500 0 7',
      '+2 0 3',
      'cfn=(2)',
      'calls=1 0x1000 0',
      '* 0 1000', // inclusive cost of the call: not counted here
      'fn=(3) 0x0000000000001000',
      '0x1000 0 10',
      '+16 0 5',
      '* 0 1',
      '-8 0 2', // compressed: 0x1010, same, 0x1008
      '0x2004 0 40',
      'fn=(4) 0x0000000000009000',
      '0x9000 0 11',
      'fn=(1)',
      '0x501 0 4', // fn by id alone: the name given before
    ].join('\n');
    const { total, byName } = attribute(text, jit);
    expect(total).toBe(7 + 3 + 10 + 5 + 1 + 2 + 40 + 11 + 4);
    expect(byName.get('v8::internal::Heap::Scavenge()')).toBe(14);
    expect(byName.get('startTx (net/fabric.ts)')).toBe(18);
    expect(byName.get('pop (engine/laneQueue.ts)')).toBe(40);
    expect(byName.get(UNMAPPED)).toBe(11);
  });
});
