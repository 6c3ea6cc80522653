import { describe, expect, it } from 'vitest';
import { RewardRegistry } from './registry';
import { defineReward } from './reward';

const constant = (value: number) => () =>
  defineReward({ name: 'constant', score: (records) => records.map(() => ({ value, details: {} })) });

describe('RewardRegistry', () => {
  it('registers, lists sorted, replaces on request and unregisters', () => {
    const registry = new RewardRegistry();
    registry.register('zeta', constant(1));
    registry.register('alpha', constant(2));
    expect(registry.names()).toEqual(['alpha', 'zeta']);
    expect(() => registry.register('alpha', constant(3))).toThrow(
      /^alpha: a reward named "alpha" is already registered/,
    );
    registry.register('alpha', constant(3), { replace: true });
    expect(registry.unregister('zeta')).toBe(true);
    expect(registry.unregister('zeta')).toBe(false);
    expect(registry.names()).toEqual(['alpha']);
  });

  it('rejects names that cannot be config keys and factories that are not functions', () => {
    const registry = new RewardRegistry();
    expect(() => registry.register('', constant(1))).toThrow(/^name: /);
    expect(() => registry.register('has space', constant(1))).toThrow(/^name: /);
    expect(() => registry.register('ok', 5 as never)).toThrow(/^ok: /);
  });
});
