import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import { readSafetensors, type SafetensorsTensor, writeSafetensors } from '@diffchat/autodiff';
import { isProcessAlive } from '@diffchat/core';
import type { ArchitectureDefinition, ModelConfigBase } from './architecture-definition';
import { parseModelConfig } from './architecture-registry';
import { type GenerationConfig, parseGenerationConfig } from './generation-config';
import { readJsonFile } from './json-file';
import { ModelFormatError } from './model-format-error';
import { checkParameterMemory } from './model-size';
import { createTokenizer, type TextTokenizer } from './tokenizer';
import { readTokenizerFiles, saveTokenizerFiles, TOKENIZER_FILE, type TokenizerFiles } from './tokenizer-files';

/** File names of a model directory (Hugging Face's layout). */
export const MODEL_FILES = {
  config: 'config.json',
  generationConfig: 'generation_config.json',
  weights: 'model.safetensors',
  weightsIndex: 'model.safetensors.index.json',
} as const;

/** A weight tensor given as shape + float32 values (row-major). */
export interface WeightTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** What {@link saveModelDirectory} writes. */
export interface ModelDirectoryToSave {
  /** config.json contents; validated against the architecture of its `model_type` before anything is written. */
  config: Record<string, unknown>;
  /** A loaded tokenizer or its files. */
  tokenizer: TextTokenizer | TokenizerFiles;
  /** Weights by Hugging Face tensor name; names, shapes and completeness are checked against the architecture. */
  weights: ReadonlyMap<string, WeightTensor>;
  /** generation_config.json contents, when the model has defaults for generation. */
  generationConfig?: GenerationConfig;
  /** Further files by relative path (e.g. `onnx/model.onnx`, `README.md`). */
  extraFiles?: Readonly<Record<string, string | Uint8Array>>;
  /** String metadata stored in model.safetensors besides `format: pt`. */
  metadata?: Readonly<Record<string, string>>;
}

/** A model directory read and checked by {@link readModelDirectory}. */
export interface ModelDirectory {
  /** Absolute path of the directory. */
  directory: string;
  /** Validated config (canonical field names, defaults filled in). */
  config: ModelConfigBase;
  architecture: ArchitectureDefinition;
  tokenizer: TextTokenizer;
  /** Weights by canonical tensor name, converted to float32; `dtype` is the stored element type. */
  weights: Map<string, SafetensorsTensor>;
  /** The safetensors `__metadata__` (of the first shard when sharded). */
  metadata: Record<string, string>;
  /** generation_config.json, when present. */
  generationConfig?: GenerationConfig;
}

const DEFAULT_WEIGHT_DTYPES = ['F32', 'F16', 'BF16'];
/** Problems listed in one error before the rest are counted instead. */
const REPORTED_PROBLEMS = 12;

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function failIfAny(file: string, problems: string[]): void {
  if (problems.length === 0) return;
  const shown = problems.slice(0, REPORTED_PROBLEMS);
  const rest = problems.length - shown.length;
  throw new ModelFormatError(file, `${shown.join('; ')}${rest > 0 ? `; and ${rest} more problems` : ''}`);
}

/**
 * Checks weights against what an architecture expects for a config: every required tensor
 * present, nothing unknown, shapes and stored element types right. File names are mapped to
 * canonical names first (e.g. a missing `transformer.` prefix).
 * @returns the weights by canonical name
 * @throws ModelFormatError listing every problem (missing, unexpected, wrong shape, wrong dtype)
 */
export function checkWeights<Tensor extends { shape: readonly number[]; dtype?: string }>(
  file: string,
  architecture: ArchitectureDefinition,
  config: ModelConfigBase,
  weights: ReadonlyMap<string, Tensor>,
): Map<string, Tensor> {
  const expected = new Map(architecture.tensors(config).map((spec) => [spec.name, spec]));
  const dtypes = architecture.weightDtypes ?? DEFAULT_WEIGHT_DTYPES;
  const problems: string[] = [];
  const canonical = new Map<string, Tensor>();
  for (const [name, tensor] of weights) {
    const mapped = architecture.canonicalTensorName ? architecture.canonicalTensorName(name) : name;
    if (mapped === null) continue;
    const spec = expected.get(mapped);
    if (spec === undefined) {
      problems.push(`unexpected tensor ${name}`);
      continue;
    }
    if (canonical.has(mapped)) {
      problems.push(`tensor ${mapped} appears twice (as ${name})`);
      continue;
    }
    if (tensor.shape.length !== spec.shape.length || tensor.shape.some((size, axis) => size !== spec.shape[axis])) {
      problems.push(`tensor ${name} has shape ${formatShape(tensor.shape)}, expected ${formatShape(spec.shape)}`);
    }
    if (tensor.dtype !== undefined && !dtypes.includes(tensor.dtype)) {
      problems.push(`tensor ${name} has dtype ${tensor.dtype}, expected one of ${dtypes.join(', ')}`);
    }
    canonical.set(mapped, tensor);
  }
  const missing = [...expected.values()].filter((spec) => !spec.optional && !canonical.has(spec.name));
  if (missing.length > 0) {
    problems.unshift(
      `missing ${missing.length} tensor${missing.length === 1 ? '' : 's'}: ${missing
        .slice(0, REPORTED_PROBLEMS)
        .map((spec) => `${spec.name} ${formatShape(spec.shape)}`)
        .join(', ')}${missing.length > REPORTED_PROBLEMS ? ', ...' : ''}`,
    );
  }
  failIfAny(file, problems);
  return canonical;
}

function safeRelativePath(path: string): string {
  const normalized = normalize(path);
  if (isAbsolute(path) || normalized.startsWith('..') || normalized === '.' || normalized.length === 0) {
    throw new Error(`extra file path "${path}" must be relative and stay inside the model directory`);
  }
  return normalized;
}

/** Sibling folders of a save in progress: `.<name>.<pid>.<random>.<stage>`. */
const SIBLING_PATTERN = /^(\d+)\.([0-9a-f]{12})\.(tmp|new|old|trash)$/;

interface Sibling {
  path: string;
  pid: number;
  stage: 'tmp' | 'new' | 'old' | 'trash';
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Folders that saves of `target` by processes that no longer run have left beside it. */
async function abandonedSiblings(target: string): Promise<Sibling[]> {
  const prefix = `.${basename(target)}.`;
  const entries = await readdir(dirname(target)).catch(() => [] as string[]);
  const found: Sibling[] = [];
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    const match = SIBLING_PATTERN.exec(entry.slice(prefix.length));
    if (match === null) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || isProcessAlive(pid)) continue;
    found.push({ path: join(dirname(target), entry), pid, stage: match[3] as Sibling['stage'] });
  }
  return found;
}

/**
 * Repairs what a save killed midway left (see {@link saveModelDirectory}): when `target` is missing
 * because the kill came between moving the old folder away and the new one in, the complete new
 * folder (or else the old one) is moved into place; every other leftover is deleted. Saves of
 * processes still running are not touched.
 */
async function recoverModelDirectory(target: string): Promise<void> {
  const leftovers = await abandonedSiblings(target);
  if (!(await exists(target))) {
    const complete =
      leftovers.find((sibling) => sibling.stage === 'new') ?? leftovers.find((sibling) => sibling.stage === 'old');
    if (complete !== undefined) {
      await rename(complete.path, target);
      leftovers.splice(leftovers.indexOf(complete), 1);
    }
  }
  for (const leftover of leftovers) await discard(leftover.path);
}

/**
 * Deletes a folder by first renaming it to `.trash`: a deletion killed midway then leaves a folder
 * that recovery can never mistake for a complete model.
 */
async function discard(path: string): Promise<void> {
  const trash = path.replace(/\.(tmp|new|old)$/, '.trash');
  if (trash !== path) await rename(path, trash);
  await rm(trash, { recursive: true, force: true });
}

/**
 * Writes a model directory (config.json, tokenizer.json + tokenizer_config.json,
 * model.safetensors, generation_config.json, extra files) so that a crash at any moment leaves
 * either the old directory or the new one, never a mixture. Everything is written into a sibling
 * `.<name>.<pid>.<random>.tmp`, renamed to `.new` once complete; the old directory is renamed to
 * `.old`, the new one into place, and the old one deleted. A process killed between the two
 * renames leaves no `directory` for a moment: the next {@link saveModelDirectory} or
 * {@link readModelDirectory} of it moves the complete `.new` (else the `.old`) back into place, and
 * deletes whatever else killed saves left. An existing directory is replaced as a whole, so files
 * of an older model (e.g. a stale onnx/ export) do not survive.
 * Nothing is written unless the config validates and the weights match its architecture.
 */
export async function saveModelDirectory(directory: string, model: ModelDirectoryToSave): Promise<void> {
  const target = resolve(directory);
  const { config, architecture } = parseModelConfig(model.config, join(target, MODEL_FILES.config));
  checkWeights(join(target, MODEL_FILES.weights), architecture, config, model.weights);
  const generationConfig =
    model.generationConfig === undefined
      ? undefined
      : parseGenerationConfig(model.generationConfig, join(target, MODEL_FILES.generationConfig));
  const tokenizerFiles = 'files' in model.tokenizer ? model.tokenizer.files : model.tokenizer;
  const extraFiles = Object.entries(model.extraFiles ?? {}).map(
    ([path, content]) => [safeRelativePath(path), content] as const,
  );

  await mkdir(dirname(target), { recursive: true });
  await recoverModelDirectory(target);
  const stem = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}`);
  const staging = `${stem}.tmp`;
  const complete = `${stem}.new`;
  const previous = `${stem}.old`;
  await mkdir(staging);
  try {
    await writeFile(join(staging, MODEL_FILES.config), `${JSON.stringify(config, null, 2)}\n`);
    await saveTokenizerFiles(staging, tokenizerFiles);
    // transformers refuses safetensors whose metadata lacks format "pt".
    await writeSafetensors(join(staging, MODEL_FILES.weights), model.weights, { ...model.metadata, format: 'pt' });
    if (generationConfig !== undefined) {
      await writeFile(join(staging, MODEL_FILES.generationConfig), `${JSON.stringify(generationConfig, null, 2)}\n`);
    }
    for (const [path, content] of extraFiles) {
      await mkdir(dirname(join(staging, path)), { recursive: true });
      await writeFile(join(staging, path), content);
    }
    // From this rename on, the new folder is known complete and recovery may move it into place.
    await rename(staging, complete);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  const existed = await exists(target);
  if (existed) await rename(target, previous);
  try {
    await rename(complete, target);
  } catch (error) {
    if (existed) await rename(previous, target);
    await discard(complete);
    throw error;
  }
  if (existed) await discard(previous);
}

async function readWeights(
  directory: string,
): Promise<{ file: string; contents: Awaited<ReturnType<typeof readSafetensors>> }> {
  const single = join(directory, MODEL_FILES.weights);
  const indexPath = join(directory, MODEL_FILES.weightsIndex);
  const read = async (file: string) => {
    try {
      return await readSafetensors(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ModelFormatError(file, 'file not found');
      throw new ModelFormatError(file, (error as Error).message.replace(`${file}: `, ''));
    }
  };
  const hasIndex = await stat(indexPath).then(
    () => true,
    () => false,
  );
  if (!hasIndex) return { file: single, contents: await read(single) };
  const index = (await readJsonFile(indexPath)) as { weight_map?: unknown };
  const weightMap = index?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw new ModelFormatError(indexPath, 'must be an object of tensor name -> shard file', 'weight_map');
  }
  const shards = new Set<string>();
  for (const [name, shard] of Object.entries(weightMap)) {
    if (typeof shard !== 'string' || shard.includes('/') || shard.includes('\\')) {
      throw new ModelFormatError(indexPath, 'must name a shard file in the same directory', `weight_map.${name}`);
    }
    shards.add(shard);
  }
  const tensors = new Map<string, SafetensorsTensor>();
  let metadata: Record<string, string> | undefined;
  for (const shard of shards) {
    const contents = await read(join(directory, shard));
    metadata ??= contents.metadata;
    for (const [name, tensor] of contents.tensors) tensors.set(name, tensor);
  }
  return { file: indexPath, contents: { tensors, metadata: metadata ?? {} } };
}

/**
 * Reads and checks a model directory: config.json against its architecture, the tokenizer,
 * generation_config.json (optional), and model.safetensors (or a sharded
 * model.safetensors.index.json) against the tensor names, shapes and dtypes the architecture
 * expects for that config. Weights stored as F16/BF16 are converted to float32.
 * @throws ModelFormatError naming the file and precisely what is wrong with it
 */
export async function readModelDirectory(directory: string): Promise<ModelDirectory> {
  const absolute = resolve(directory);
  // A save killed between its two renames leaves the model beside its place, not in it.
  if (!(await exists(absolute))) await recoverModelDirectory(absolute);
  const isDirectory = await stat(absolute).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (!isDirectory) throw new ModelFormatError(absolute, 'model directory not found');
  const configPath = join(absolute, MODEL_FILES.config);
  const { config, architecture } = parseModelConfig(await readJsonFile(configPath), configPath);
  // Before any weight is read: a config whose weights could not fit in memory fails on its own. (A config that
  // disagrees with a real weights file is reported tensor by tensor below.)
  checkParameterMemory(configPath, architecture, config);
  const tokenizer = createTokenizer(await readTokenizerFiles(absolute), join(absolute, TOKENIZER_FILE));
  const { vocabSize } = architecture.dimensions(config);
  if (tokenizer.vocabSize > vocabSize) {
    throw new ModelFormatError(
      join(absolute, TOKENIZER_FILE),
      `has token ids up to ${tokenizer.vocabSize - 1}, beyond the ${vocabSize} embedding rows of config.json`,
    );
  }
  let generationConfig: GenerationConfig | undefined;
  const generationPath = join(absolute, MODEL_FILES.generationConfig);
  try {
    generationConfig = parseGenerationConfig(await readJsonFile(generationPath), generationPath);
  } catch (error) {
    if (!(error instanceof ModelFormatError && error.problem === 'file not found')) throw error;
  }
  const { file, contents } = await readWeights(absolute);
  const weights = checkWeights(file, architecture, config, contents.tensors);
  return {
    directory: absolute,
    config,
    architecture,
    tokenizer,
    weights,
    metadata: contents.metadata,
    generationConfig,
  };
}
