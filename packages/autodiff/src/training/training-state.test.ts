import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdamW } from './adamw';
import { clipGlobalNorm } from './gradient-clipping';
import { normal } from './initializers';
import { cosineSchedule } from './learning-rate-schedules';
import type { Optimizer } from './optimizer';
import { ParameterStore } from './parameter-store';
import { SeededRandom } from './seeded-random';
import { Sgd } from './sgd';
import { loadTrainingState, saveTrainingState, TRAINING_STATE_FILE } from './training-state';

/** The saved state as the fuzz test edits it. */
interface EditableState {
  parameters: Record<string, unknown>[];
  optimizer: Record<string, unknown>;
  [field: string]: unknown;
}

const schedule = cosineSchedule({ learningRate: 0.05, warmupSteps: 3, totalSteps: 40, minLearningRate: 0.005 });

function newModel(seed: number): ParameterStore {
  const store = new ParameterStore({ seed });
  store.add('w', [4, 2], normal({ std: 0.5 }));
  store.add('b', [2]);
  return store;
}

/**
 * Steps of a toy regression y = x W + b (x: 4 features, y: 2 outputs) on mini-batches of 6 examples drawn from
 * `random`; the gradient of the mean of 1/2 |y - t|^2 is written out analytically: dW = x^T r / n, db = mean(r).
 */
function train(store: ParameterStore, optimizer: Optimizer, random: SeededRandom, from: number, to: number): void {
  const w = store.get('w').data;
  const b = store.get('b').data;
  for (let step = from; step < to; step++) {
    const gradientW = new Float32Array(8);
    const gradientB = new Float32Array(2);
    for (let example = 0; example < 6; example++) {
      const x = [0, 1, 2, 3].map(() => random.nextFloat() * 2 - 1);
      const targets = [x[0]! - 2 * x[1]! + 0.5, 3 * x[2]! + x[3]! - 1];
      for (let output = 0; output < 2; output++) {
        let y = b[output]!;
        for (let feature = 0; feature < 4; feature++) y += x[feature]! * w[feature * 2 + output]!;
        const residual = (y - targets[output]!) / 6;
        for (let feature = 0; feature < 4; feature++) gradientW[feature * 2 + output]! += x[feature]! * residual;
        gradientB[output]! += residual;
      }
    }
    const gradients = new Map([
      ['w', gradientW],
      ['b', gradientB],
    ]);
    clipGlobalNorm(gradients, 1);
    optimizer.step(store, gradients, schedule(step));
  }
}

describe('saveTrainingState / loadTrainingState', () => {
  let directory = '';
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'training-state-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it.each([
    ['AdamW', () => new AdamW({ weightDecay: 0.1, beta2: 0.95 })],
    ['Sgd', () => new Sgd({ momentum: 0.9, nesterov: true, weightDecay: 1e-3 })],
  ])('N steps, save, restore, N more steps equals 2N steps straight, bit for bit (%s)', async (name, makeOptimizer) => {
    const steps = 12;
    const straight = newModel(1);
    const straightOptimizer = makeOptimizer();
    train(straight, straightOptimizer, new SeededRandom(99), 0, 2 * steps);

    const checkpoint = join(directory, `resume-${name}`);
    const first = newModel(1);
    const firstOptimizer = makeOptimizer();
    const firstRandom = new SeededRandom(99);
    train(first, firstOptimizer, firstRandom, 0, steps);
    await saveTrainingState(checkpoint, {
      store: first,
      optimizer: firstOptimizer,
      step: steps,
      rngState: firstRandom.state(),
      extra: { epoch: 0, bestLoss: 0.125 },
    });

    // a different initialisation, to be overwritten by the restore
    const resumed = newModel(2);
    const resumedOptimizer = makeOptimizer();
    const loaded = await loadTrainingState(checkpoint, { store: resumed, optimizer: resumedOptimizer });
    expect(loaded.store).toBe(resumed);
    expect(loaded.step).toBe(steps);
    expect(loaded.extra).toEqual({ epoch: 0, bestLoss: 0.125 });
    train(resumed, resumedOptimizer, SeededRandom.fromState(loaded.rngState as number[]), loaded.step, 2 * steps);

    for (const parameter of straight) expect(resumed.get(parameter.name).data).toEqual(parameter.data);
    expect(resumedOptimizer.exportState()).toEqual(straightOptimizer.exportState());
    expect(straight.get('w').data).not.toEqual(newModel(1).get('w').data);
  });

  it('builds a new store with the saved names, order, shapes and seed when none is given', async () => {
    const checkpoint = join(directory, 'fresh');
    const store = new ParameterStore({ seed: 5 });
    store.add('z.weight', [2, 3], normal());
    store.add('a.bias', [3]);
    await saveTrainingState(checkpoint, { store, step: 0 });
    const { store: loaded, rngState, extra } = await loadTrainingState(checkpoint);
    expect(loaded.names()).toEqual(['z.weight', 'a.bias']);
    expect(loaded.seed).toBe(5);
    expect(loaded.get('z.weight').shape).toEqual([2, 3]);
    expect(loaded.get('z.weight').data).toEqual(store.get('z.weight').data);
    expect(rngState).toBeNull();
    expect(extra).toBeNull();
    await expect(loadTrainingState(checkpoint, { optimizer: new AdamW() })).rejects.toThrow(/holds no optimiser state/);
  });

  it('keeps exactly one tensor file, and an interrupted save leaves the previous checkpoint loadable', async () => {
    const checkpoint = join(directory, 'rewrite');
    const store = newModel(3);
    await saveTrainingState(checkpoint, { store, step: 1 });
    // a save that died after writing its tensors but before its JSON
    await writeFile(join(checkpoint, 'training-state-00000000deadbeef.safetensors'), 'partial');
    await writeFile(join(checkpoint, `${TRAINING_STATE_FILE}.1234567`), '{"for');
    expect((await loadTrainingState(checkpoint)).step).toBe(1);
    store.get('b').data[0] = 42;
    await saveTrainingState(checkpoint, { store, step: 2 });
    const files = await readdir(checkpoint);
    expect(files.filter((file) => file.endsWith('.safetensors'))).toHaveLength(1);
    expect(files).toHaveLength(2);
    const loaded = await loadTrainingState(checkpoint);
    expect(loaded.step).toBe(2);
    expect(loaded.store.get('b').data[0]).toBe(42);
  });

  it('detects corruption and mismatches, naming the file', async () => {
    const checkpoint = join(directory, 'corrupt');
    const store = newModel(4);
    await saveTrainingState(checkpoint, { store, optimizer: new AdamW(), step: 3 });
    const statePath = join(checkpoint, TRAINING_STATE_FILE);
    const original = await readFile(statePath, 'utf8');

    await writeFile(statePath, original.replace('"step":3', '"step":4'));
    await expect(loadTrainingState(checkpoint)).rejects.toThrow(`${statePath}: sha256 does not match the content`);
    await writeFile(statePath, original.slice(0, 40));
    await expect(loadTrainingState(checkpoint)).rejects.toThrow(/not valid JSON/);
    await writeFile(statePath, original);

    const tensorFile = (await readdir(checkpoint)).find((file) => file.endsWith('.safetensors'))!;
    const tensorPath = join(checkpoint, tensorFile);
    const bytes = await readFile(tensorPath);
    bytes[bytes.length - 1]! ^= 1;
    await writeFile(tensorPath, bytes);
    await expect(loadTrainingState(checkpoint)).rejects.toThrow(`${tensorPath}: sha256 does not match`);
    bytes[bytes.length - 1]! ^= 1;
    await writeFile(tensorPath, bytes);

    const other = new ParameterStore();
    other.add('w', [2, 4]);
    other.add('c', [2]);
    await expect(loadTrainingState(checkpoint, { store: other })).rejects.toThrow(
      /in the checkpoint only: b; in the store only: c/,
    );
    const reshaped = new ParameterStore();
    reshaped.add('w', [2, 4]);
    reshaped.add('b', [2]);
    await expect(loadTrainingState(checkpoint, { store: reshaped })).rejects.toThrow(
      /"w" has shape \[4, 2\] here but \[2, 4\]/,
    );
    await expect(loadTrainingState(checkpoint, { optimizer: new Sgd() })).rejects.toThrow(
      /written by "adamw", not "sgd"/,
    );
    await expect(loadTrainingState(join(directory, 'missing'))).rejects.toThrow(/no checkpoint here/);
    await expect(saveTrainingState(checkpoint, { store, step: -1 })).rejects.toThrow(/step must be/);
    await expect(saveTrainingState(checkpoint, { store, step: 1, extra: { position: 3n } })).rejects.toThrow(
      /extra must be JSON values/,
    );
  });

  it('fuzzing training-state.json: every rejection is an Error naming the checkpoint, never a crash', async () => {
    const checkpoint = join(directory, 'fuzz');
    const template = newModel(6);
    const optimizer = new AdamW();
    train(template, optimizer, new SeededRandom(1), 0, 2);
    await saveTrainingState(checkpoint, { store: template, optimizer, step: 2 });
    const statePath = join(checkpoint, TRAINING_STATE_FILE);
    const valid = JSON.parse(await readFile(statePath, 'utf8'));
    const sealed = (state: unknown) =>
      JSON.stringify({
        format: valid.format,
        version: valid.version,
        // the checksum a writer would compute, so the state's own checks are reached
        sha256: createHash('sha256').update(JSON.stringify(state)).digest('hex'),
        state,
      });
    const fields = [
      'step',
      'storeSeed',
      'tensorFile',
      'tensorFileSha256',
      'parameters',
      'optimizer',
      'rngState',
      'extra',
    ];
    const nested: ((state: EditableState, value: unknown) => void)[] = [
      (state, value) => {
        state.parameters[0]!.shape = value;
      },
      (state, value) => {
        state.parameters[0]!.name = value;
      },
      (state, value) => {
        state.optimizer.kind = value;
      },
      (state, value) => {
        state.optimizer.stepCounts = value;
      },
      (state, value) => {
        state.optimizer.tensors = value;
      },
      ...fields.map((field) => (state: EditableState, value: unknown) => {
        state[field] = value;
      }),
    ];
    const document = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.tuple(fc.constantFrom(...nested), fc.jsonValue()).map(([change, value]) => {
        const state = structuredClone(valid.state);
        change(state, value);
        return sealed(state);
      }),
    );
    await fc.assert(
      fc.asyncProperty(document, fc.boolean(), async (text, intoStore) => {
        await writeFile(statePath, text);
        const options = intoStore ? { store: newModel(7), optimizer: new AdamW() } : {};
        try {
          await loadTrainingState(checkpoint, options);
        } catch (error) {
          expect(error).not.toBeInstanceOf(TypeError);
          expect((error as Error).message.startsWith(checkpoint)).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });
});
