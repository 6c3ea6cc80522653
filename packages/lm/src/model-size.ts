import { open } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { MAX_SAFETENSORS_HEADER_BYTES } from '@diffchat/autodiff';
import type { ArchitectureDefinition, ModelConfigBase } from './architecture-definition';
import { parseModelConfig } from './architecture-registry';
import { readJsonFile } from './json-file';
import { ModelFormatError } from './model-format-error';

/** Loaded weights are float32 whatever the stored type (F16 and BF16 are converted on load). */
const BYTES_PER_PARAMETER = 4;

/** Names of the weights files inside a model directory (as in `MODEL_FILES`). */
const CONFIG_FILE = 'config.json';
const WEIGHTS_FILE = 'model.safetensors';
const WEIGHTS_INDEX_FILE = 'model.safetensors.index.json';

function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/**
 * The parameters a config implies: the elements of every tensor its architecture requires (optional ones,
 * such as a tied `lm_head.weight`, are not counted). Computed from the shapes alone, nothing is allocated.
 */
export function impliedParameterCount(architecture: ArchitectureDefinition, config: ModelConfigBase): number {
  let count = 0;
  for (const spec of architecture.tensors(config)) if (!spec.optional) count += elementCount(spec.shape);
  return count;
}

/**
 * Refuses a config whose weights could not fit in memory as float32, before anything is allocated.
 * @param file named in the error
 * @param memoryBytes the machine's memory; default `os.totalmem()`
 * @throws ModelFormatError naming the parameter count, the bytes it needs and the sizes that imply it
 */
export function checkParameterMemory(
  file: string,
  architecture: ArchitectureDefinition,
  config: ModelConfigBase,
  memoryBytes: number = totalmem(),
): void {
  const parameters = impliedParameterCount(architecture, config);
  const bytes = parameters * BYTES_PER_PARAMETER;
  if (bytes <= memoryBytes) return;
  const { vocabSize, hiddenSize, layers } = architecture.dimensions(config);
  throw new ModelFormatError(
    file,
    `implies ${parameters} parameters (vocabulary ${vocabSize}, width ${hiddenSize}, ${layers} layers): ` +
      `${bytes} bytes as float32, more than the ${memoryBytes} bytes of memory of this machine`,
  );
}

/**
 * The elements of the tensors a safetensors file declares, read from its header only (the data is never
 * read). Returns null for a file that is missing or malformed: the full reader reports those precisely.
 * `include` picks the tensors that count, by name.
 */
export async function safetensorsElementCount(
  file: string,
  include: (name: string) => boolean = () => true,
): Promise<number | null> {
  const handle = await open(file, 'r').catch(() => null);
  if (handle === null) return null;
  try {
    const size = (await handle.stat()).size;
    const prefix = Buffer.alloc(8);
    if ((await handle.read(prefix, 0, 8, 0)).bytesRead < 8) return null;
    const declared = prefix.readBigUInt64LE(0);
    if (declared > BigInt(Math.min(MAX_SAFETENSORS_HEADER_BYTES, size - 8))) return null;
    const text = Buffer.alloc(Number(declared));
    await handle.read(text, 0, text.length, 8);
    let header: unknown;
    try {
      header = JSON.parse(text.toString('utf8'));
    } catch {
      return null;
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) return null;
    let count = 0;
    for (const [name, info] of Object.entries(header)) {
      if (name === '__metadata__' || !include(name)) continue;
      const shape = (info as { shape?: unknown } | null)?.shape;
      if (!Array.isArray(shape) || !shape.every((size) => Number.isSafeInteger(size) && size >= 0)) return null;
      count += elementCount(shape as number[]);
    }
    return count;
  } finally {
    await handle.close();
  }
}

/** The shard files a sharded model's index names, or null when the index is missing or malformed. */
async function shardFiles(directory: string): Promise<string[] | null> {
  let index: unknown;
  try {
    index = await readJsonFile(join(directory, WEIGHTS_INDEX_FILE));
  } catch {
    return null;
  }
  const weightMap = (index as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null) return null;
  const shards = new Set(Object.values(weightMap));
  if (![...shards].every((shard) => typeof shard === 'string' && !/[\\/]/.test(shard))) return null;
  return [...shards].map((shard) => join(directory, shard as string));
}

/**
 * Checks, before any weight is read, that a model directory's config.json is affordable and agrees with its
 * weights: the implied parameters must fit in memory (see {@link checkParameterMemory}) and equal the
 * elements the safetensors header(s) declare for the architecture's required tensors (buffers that are not
 * weights and optional tensors are not counted). Reads config.json and the headers only, so an absurd config
 * fails in milliseconds. Missing or malformed files are left for `readModelDirectory` to report.
 * @param memoryBytes the machine's memory; default `os.totalmem()`
 * @throws ModelFormatError naming the field at fault, or both parameter counts when they disagree
 */
export async function checkModelDirectorySize(directory: string, memoryBytes: number = totalmem()): Promise<void> {
  const configPath = join(directory, CONFIG_FILE);
  let json: unknown;
  try {
    json = await readJsonFile(configPath);
  } catch {
    return;
  }
  const { config, architecture } = parseModelConfig(json, configPath);
  checkParameterMemory(configPath, architecture, config, memoryBytes);
  const implied = impliedParameterCount(architecture, config);
  const optional = new Set(
    architecture
      .tensors(config)
      .filter((spec) => spec.optional)
      .map((spec) => spec.name),
  );
  const counted = (name: string) => {
    const canonical = architecture.canonicalTensorName ? architecture.canonicalTensorName(name) : name;
    return canonical !== null && !optional.has(canonical);
  };
  const shards = await shardFiles(directory);
  const files = shards ?? [join(directory, WEIGHTS_FILE)];
  let stored = 0;
  for (const file of files) {
    const count = await safetensorsElementCount(file, counted);
    if (count === null) return;
    stored += count;
  }
  if (stored !== implied) {
    throw new ModelFormatError(
      configPath,
      `implies ${implied} parameters, but ${shards === null ? WEIGHTS_FILE : WEIGHTS_INDEX_FILE} holds ${stored}`,
    );
  }
}
