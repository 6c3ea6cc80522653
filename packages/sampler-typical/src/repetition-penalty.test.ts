import { describe, expect, it } from 'vitest';
import { repetitionPenalty } from './repetition-penalty';

describe('repetitionPenalty', () => {
  it('divides positive logits and multiplies negative ones by the penalty, once per distinct id', () => {
    const row = Float32Array.from([2, -2, 0, 4, Number.NEGATIVE_INFINITY]);
    const penalised = repetitionPenalty(row, [0, 1, 1, 2, 4, 0], 2);
    expect(Array.from(penalised)).toEqual([1, -4, 0, 4, Number.NEGATIVE_INFINITY]);
  });

  it('leaves the input untouched and changes nothing with penalty 1 or no history', () => {
    const row = Float32Array.from([1.5, -0.5]);
    expect(repetitionPenalty(row, [0, 1], 1)).toEqual(row);
    expect(repetitionPenalty(row, [], 3)).toEqual(row);
    expect(Array.from(row)).toEqual([1.5, -0.5]);
  });

  it('rejects bad penalties and ids outside the row, naming them', () => {
    const row = Float32Array.from([1, 2]);
    expect(() => repetitionPenalty(row, [0], 0)).toThrow(/penalty: must be a finite number > 0/);
    expect(() => repetitionPenalty(row, [0], Number.NaN)).toThrow(/penalty/);
    expect(() => repetitionPenalty(row, [0, 2], 1.2)).toThrow(/previousIds\[1\]: expected a token id in \[0, 1\]/);
    expect(() => repetitionPenalty(row, [-1], 1.2)).toThrow(/previousIds\[0\]/);
    expect(() => repetitionPenalty(row, [0.5], 1.2)).toThrow(/previousIds\[0\]/);
  });
});
