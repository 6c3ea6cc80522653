import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@diffchat/core';
import type { Optimizer } from './optimizer';
import { ParameterStore, sameShape } from './parameter-store';
import { parseSafetensors, serializeSafetensors } from './safetensors';

/** File holding everything but the tensors; written last, so its presence marks a complete checkpoint. */
export const TRAINING_STATE_FILE = 'training-state.json';

const tensorFilePattern = /^training-state-[0-9a-f]{16}\.safetensors$/;
// temporary files of the atomic writes are named <file>.<decimal hash>
const temporaryFilePattern = /^training-state(\.json|-[0-9a-f]{16}\.safetensors)\.\d+$/;
const format = 'diffchat-training-state';
const version = 1;

/** What {@link saveTrainingState} writes. */
export interface TrainingStateToSave {
  /** The parameters. */
  store: ParameterStore;
  /** The optimiser whose moments and step counts are saved, if any. */
  optimizer?: Optimizer;
  /** Optimiser steps taken so far (the next step's index, for the schedule). */
  step: number;
  /** State of the run's random generator(s), e.g. `SeededRandom.state()`; any JSON value. */
  rngState?: unknown;
  /** Anything else the run needs to resume (data-loader position, best eval loss); any JSON value. */
  extra?: unknown;
}

/** What {@link loadTrainingState} restores. */
export interface LoadedTrainingState {
  /** The given store with the saved values copied in, or a new store built from the checkpoint. */
  store: ParameterStore;
  step: number;
  rngState: unknown;
  extra: unknown;
}

/** Options of {@link loadTrainingState}. */
export interface LoadTrainingStateOptions {
  /** Store to restore into (names and shapes must match the checkpoint); a new one is built when absent. */
  store?: ParameterStore;
  /** Optimiser whose state is replaced by the saved one (the checkpoint must hold state of the same kind). */
  optimizer?: Optimizer;
}

interface SavedState {
  step: number;
  storeSeed: number;
  tensorFile: string;
  tensorFileSha256: string;
  parameters: { name: string; shape: number[] }[];
  optimizer: { kind: string; stepCounts: Record<string, number>; tensors: string[] } | null;
  rngState: unknown;
  extra: unknown;
}

/**
 * Saves a checkpoint into `directory` (created if missing): the parameters and optimiser buffers in one safetensors
 * file with a fresh name, then `training-state.json` (step, optimiser step counts, rngState, extra, the SHA-256 of the
 * tensor file and of its own content). Each file is written atomically and the JSON goes last, so a crash at any point
 * leaves the previous checkpoint loadable; older tensor files are removed afterwards. Float32 values round-trip
 * exactly, so training resumed from the checkpoint repeats the uninterrupted run bit for bit. One writer per directory.
 */
export async function saveTrainingState(directory: string, state: TrainingStateToSave): Promise<void> {
  if (!(Number.isSafeInteger(state.step) && state.step >= 0)) {
    throw new RangeError(`saveTrainingState: step must be a non-negative integer, got ${state.step}`);
  }
  const tensors = new Map<string, { shape: readonly number[]; data: Float32Array }>();
  for (const parameter of state.store) tensors.set(`parameter/${parameter.name}`, parameter);
  const optimizerState = state.optimizer?.exportState();
  if (optimizerState !== undefined) {
    for (const [key, data] of optimizerState.tensors) tensors.set(`optimizer/${key}`, { shape: [data.length], data });
  }
  const tensorBytes = serializeSafetensors(tensors, { format });
  const tensorFile = `training-state-${randomBytes(8).toString('hex')}.safetensors`;
  const saved: SavedState = {
    step: state.step,
    storeSeed: state.store.seed,
    tensorFile,
    tensorFileSha256: sha256(tensorBytes),
    parameters: [...state.store].map(({ name, shape }) => ({ name, shape: [...shape] })),
    optimizer:
      optimizerState === undefined
        ? null
        : {
            kind: optimizerState.kind,
            stepCounts: optimizerState.stepCounts,
            tensors: [...optimizerState.tensors.keys()],
          },
    rngState: state.rngState ?? null,
    extra: state.extra ?? null,
  };
  let body: string;
  try {
    body = JSON.stringify(saved);
  } catch (error) {
    throw new TypeError(`saveTrainingState: rngState and extra must be JSON values (${(error as Error).message})`);
  }
  const document = `{"format":"${format}","version":${version},"sha256":"${sha256(body)}","state":${body}}\n`;
  await mkdir(directory, { recursive: true });
  await writeFileAtomic(join(directory, tensorFile), tensorBytes);
  await writeFileAtomic(join(directory, TRAINING_STATE_FILE), document);
  for (const entry of await readdir(directory)) {
    // tensor files of earlier checkpoints, and temporary files of saves that were interrupted
    const stale = (tensorFilePattern.test(entry) && entry !== tensorFile) || temporaryFilePattern.test(entry);
    if (stale) await rm(join(directory, entry), { force: true });
  }
}

/**
 * Loads a checkpoint written by {@link saveTrainingState}, verifying both checksums first, and restores the
 * parameters (into `options.store` or a new store) and the optimiser state (into `options.optimizer`).
 * @throws Error naming the file when it is missing, corrupted (checksum mismatch), of another format, or does not
 *   match the given store (missing/extra parameter, different shape) or optimiser kind.
 */
export async function loadTrainingState(
  directory: string,
  options: LoadTrainingStateOptions = {},
): Promise<LoadedTrainingState> {
  const statePath = join(directory, TRAINING_STATE_FILE);
  const fail = (file: string, message: string): never => {
    throw new Error(`${file}: ${message}`);
  };
  let document: unknown;
  try {
    document = JSON.parse(await readFile(statePath, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    fail(statePath, code === 'ENOENT' ? 'no checkpoint here' : `not valid JSON (${(error as Error).message})`);
  }
  const {
    format: savedFormat,
    version: savedVersion,
    sha256: checksum,
    state,
  } = (document ?? {}) as Record<string, unknown>;
  if (savedFormat !== format) fail(statePath, `format must be "${format}", got ${JSON.stringify(savedFormat)}`);
  if (savedVersion !== version)
    fail(statePath, `version ${JSON.stringify(savedVersion)} is not supported (expected ${version})`);
  if (typeof checksum !== 'string' || sha256(JSON.stringify(state)) !== checksum) {
    fail(statePath, 'sha256 does not match the content: the file is corrupted');
  }
  const problem = savedStateProblem(state);
  if (problem !== undefined) fail(statePath, problem);
  const saved = state as SavedState;

  const tensorPath = join(directory, saved.tensorFile);
  const tensorBytes = await readFile(tensorPath).catch((error: Error) =>
    fail(tensorPath, `cannot read the checkpoint's tensors (${error.message})`),
  );
  if (sha256(tensorBytes) !== saved.tensorFileSha256) {
    fail(tensorPath, 'sha256 does not match training-state.json: the file is corrupted or from another checkpoint');
  }
  const { tensors } = parseSafetensors(tensorBytes, { source: tensorPath });
  const tensor = (key: string) => tensors.get(key) ?? fail(tensorPath, `tensor "${key}" is missing`);

  const values = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const { name, shape } of saved.parameters) {
    const stored = tensor(`parameter/${name}`);
    if (!sameShape(stored.shape, shape)) {
      fail(tensorPath, `tensor "parameter/${name}" has shape [${stored.shape.join(', ')}], not [${shape.join(', ')}]`);
    }
    values.set(name, { shape, data: stored.data });
  }
  if (options.optimizer !== undefined) {
    if (saved.optimizer === null) fail(statePath, 'the checkpoint holds no optimiser state');
    if (saved.optimizer!.kind !== options.optimizer.kind) {
      fail(statePath, `the optimiser state was written by "${saved.optimizer!.kind}", not "${options.optimizer.kind}"`);
    }
  }

  let store = options.store;
  if (store === undefined) {
    store = new ParameterStore({ seed: saved.storeSeed });
    for (const [name, { shape, data }] of values) store.add(name, shape, data);
  } else {
    const target = store;
    const missing = saved.parameters.filter(({ name }) => !target.has(name)).map(({ name }) => name);
    const extra = target.names().filter((name) => !values.has(name));
    if (missing.length > 0 || extra.length > 0) {
      fail(
        statePath,
        `parameters differ from the store (in the checkpoint only: ${missing.join(', ') || 'none'}; in the store only: ${extra.join(', ') || 'none'})`,
      );
    }
    for (const [name, { shape }] of values) {
      const parameter = target.get(name);
      if (!sameShape(parameter.shape, shape)) {
        fail(
          statePath,
          `parameter "${name}" has shape [${shape.join(', ')}] here but [${parameter.shape.join(', ')}] in the store`,
        );
      }
    }
    target.assign(values);
  }

  if (options.optimizer !== undefined) {
    const optimizer = saved.optimizer!;
    const tensorsOfOptimizer = new Map(optimizer.tensors.map((key) => [key, tensor(`optimizer/${key}`).data]));
    try {
      options.optimizer.importState({
        kind: optimizer.kind,
        stepCounts: optimizer.stepCounts,
        tensors: tensorsOfOptimizer,
      });
    } catch (error) {
      fail(statePath, (error as Error).message);
    }
  }
  return { store, step: saved.step, rngState: saved.rngState, extra: saved.extra };
}

/** What is wrong with a checksummed but hand-edited (or foreign) state, or undefined when it has the saved layout. */
function savedStateProblem(state: unknown): string | undefined {
  if (typeof state !== 'object' || state === null) return 'state must be an object';
  const saved = state as Record<string, unknown>;
  const isCount = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
  if (!isCount(saved.step)) return `state.step must be a non-negative integer, got ${JSON.stringify(saved.step)}`;
  if (!Number.isFinite(saved.storeSeed)) return 'state.storeSeed must be a number';
  if (typeof saved.tensorFile !== 'string' || !tensorFilePattern.test(saved.tensorFile)) {
    return `state.tensorFile ${JSON.stringify(saved.tensorFile)} is not a tensor file name`;
  }
  if (typeof saved.tensorFileSha256 !== 'string') return 'state.tensorFileSha256 must be a string';
  const parameters = saved.parameters;
  if (
    !Array.isArray(parameters) ||
    !parameters.every(
      (entry) =>
        typeof entry === 'object' &&
        entry !== null &&
        typeof entry.name === 'string' &&
        entry.name.length > 0 &&
        Array.isArray(entry.shape) &&
        entry.shape.every(isCount),
    )
  ) {
    return 'state.parameters must be a list of { name, shape }';
  }
  if (new Set(parameters.map((entry) => entry.name)).size !== parameters.length) {
    return 'state.parameters names a parameter twice';
  }
  const optimizer = saved.optimizer as Record<string, unknown> | null;
  if (optimizer === null) return undefined;
  if (
    typeof optimizer !== 'object' ||
    typeof optimizer.kind !== 'string' ||
    typeof optimizer.stepCounts !== 'object' ||
    optimizer.stepCounts === null ||
    !Array.isArray(optimizer.tensors) ||
    !optimizer.tensors.every((key) => typeof key === 'string')
  ) {
    return 'state.optimizer must be null or { kind, stepCounts, tensors }';
  }
  return undefined;
}

function sha256(content: Uint8Array | string): string {
  return createHash('sha256').update(content).digest('hex');
}
