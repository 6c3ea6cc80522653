import { describe, expect, it } from 'vitest';
import { AdamW } from './adamw';
import { decayMatricesOnly } from './optimizer';
import { ParameterStore } from './parameter-store';

function storeWith(values: number[]): ParameterStore {
  const store = new ParameterStore();
  store.add('w', [values.length], new Float32Array(values));
  return store;
}

function expectClose(actual: Float32Array, expected: number[], tolerance = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, index) => {
    expect(actual[index]).toBeCloseTo(value, -Math.log10(tolerance));
  });
}

describe('AdamW', () => {
  // theta0 = [1, -2], lr 0.1, beta1 0.9, beta2 0.999, epsilon 1e-8, weight decay 0.1; g1 = [0.5, -1], g2 = [0.2, 0.4]
  it('matches two steps worked out by hand from the published update', () => {
    const store = storeWith([1, -2]);
    const optimizer = new AdamW({ beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1 });

    // step 1: decay 1 - 0.1 * 0.1 = 0.99 -> [0.99, -1.98]; m = 0.1 g1 = [0.05, -0.1]; v = 0.001 g1^2 = [0.00025, 0.001];
    // m / (1 - 0.9) = [0.5, -1]; sqrt(v / (1 - 0.999)) = [0.5, 1]; so the step is 0.1 * [0.5 / (0.5 + 1e-8), -1 / (1 + 1e-8)]
    optimizer.step(store, new Map([['w', new Float32Array([0.5, -1])]]), 0.1);
    expectClose(store.get('w').data, [0.99 - 0.1 * (0.5 / (0.5 + 1e-8)), -1.98 + 0.1 * (1 / (1 + 1e-8))]);
    expectClose(store.get('w').data, [0.89, -1.88]);

    // step 2: decay -> [0.8811, -1.8612]; m = 0.9 [0.05, -0.1] + 0.1 [0.2, 0.4] = [0.065, -0.05];
    // v = 0.999 [0.00025, 0.001] + 0.001 [0.04, 0.16] = [0.00028975, 0.001159];
    // bias corrections 1 - 0.9^2 = 0.19 and 1 - 0.999^2 = 0.001999
    optimizer.step(store, new Map([['w', new Float32Array([0.2, 0.4])]]), 0.1);
    const expected = [
      0.89 * 0.99 - (0.1 * (0.065 / 0.19)) / (Math.sqrt(0.00028975 / 0.001999) + 1e-8),
      -1.88 * 0.99 - (0.1 * (-0.05 / 0.19)) / (Math.sqrt(0.001159 / 0.001999) + 1e-8),
    ];
    expectClose(store.get('w').data, expected);
    expectClose(store.get('w').data, [0.7912425, -1.8266394]);
  });

  it('moves each coordinate by about the learning rate on the first step, whatever the gradient scale', () => {
    // with bias correction, m_hat = g and sqrt(v_hat) = |g| at t = 1
    const store = storeWith([0, 0, 0]);
    new AdamW({ weightDecay: 0 }).step(store, new Map([['w', new Float32Array([1e-3, -50, 7])]]), 0.01);
    expectClose(store.get('w').data, [-0.01, 0.01, -0.01], 1e-5);
  });

  it('decays only the parameters the predicate selects, and decay is decoupled from the gradient', () => {
    const store = new ParameterStore();
    store.add('matrix', [1, 2], new Float32Array([2, -4]));
    store.add('bias', [2], new Float32Array([2, -4]));
    const zero = new Float32Array(2);
    new AdamW({ weightDecay: 0.5, decay: decayMatricesOnly }).step(
      store,
      new Map([
        ['matrix', zero],
        ['bias', zero],
      ]),
      0.1,
    );
    // zero gradient: the Adam term is 0 / (0 + eps) = 0, so only the decay factor 1 - 0.1 * 0.5 acts
    expectClose(store.get('matrix').data, [1.9, -3.8]);
    expectClose(store.get('bias').data, [2, -4]);
  });

  it('leaves parameters without a gradient untouched and counts steps per parameter', () => {
    const store = new ParameterStore();
    store.add('a', [1], new Float32Array([1]));
    store.add('frozen', [1], new Float32Array([5]));
    const optimizer = new AdamW({ weightDecay: 0 });
    optimizer.step(store, new Map([['a', new Float32Array([1])]]), 0.1);
    optimizer.step(store, new Map([['a', new Float32Array([1])]]), 0.1);
    expect(store.get('frozen').data[0]).toBe(5);
    expect(optimizer.exportState().stepCounts).toEqual({ a: 2 });
  });

  it('rejects gradients that match no parameter or have the wrong length, and bad hyperparameters', () => {
    const store = storeWith([1, 2]);
    const optimizer = new AdamW();
    expect(() => optimizer.step(store, new Map([['v', new Float32Array(2)]]), 0.1)).toThrow(
      /gradient "v" matches no parameter/,
    );
    expect(() => optimizer.step(store, new Map([['w', new Float32Array(3)]]), 0.1)).toThrow(
      /gradient "w" has 3 elements/,
    );
    expect(() => optimizer.step(store, new Map(), Number.NaN)).toThrow(/learningRate/);
    expect(() => new AdamW({ beta1: 1 })).toThrow(/beta1/);
    expect(() => new AdamW({ epsilon: 0 })).toThrow(/epsilon/);
  });

  it('continues identically after exporting its state into a fresh optimiser', () => {
    const gradients = [
      [0.3, -0.7],
      [1.1, 0.2],
      [-0.4, 0.9],
    ].map((values) => new Map([['w', new Float32Array(values)]]));
    const straight = storeWith([0.5, -0.5]);
    const straightOptimizer = new AdamW();
    for (const gradient of gradients) straightOptimizer.step(straight, gradient, 0.05);

    const resumed = storeWith([0.5, -0.5]);
    const first = new AdamW();
    first.step(resumed, gradients[0]!, 0.05);
    const second = new AdamW();
    second.importState(first.exportState());
    for (const gradient of gradients.slice(1)) second.step(resumed, gradient, 0.05);
    expect(resumed.get('w').data).toEqual(straight.get('w').data);
    expect(() => second.importState({ kind: 'sgd', stepCounts: {}, tensors: new Map() })).toThrow(/written by "sgd"/);
  });

  it('refuses state restored for a parameter of another size, and state missing a moment', () => {
    const optimizer = new AdamW();
    optimizer.importState({
      kind: 'adamw',
      stepCounts: { w: 1 },
      tensors: new Map([
        ['firstMoment/w', new Float32Array(3)],
        ['secondMoment/w', new Float32Array(3)],
      ]),
    });
    expect(() => optimizer.step(storeWith([1, 2]), new Map([['w', new Float32Array(2)]]), 0.1)).toThrow(
      /parameter "w" has 2 elements but its firstMoment buffer has 3/,
    );
    const partial = { kind: 'adamw', stepCounts: { w: 1 }, tensors: new Map([['firstMoment/w', new Float32Array(2)]]) };
    expect(() => new AdamW().importState(partial)).toThrow(/"w" needs firstMoment and secondMoment/);
  });
});
