import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  readSafetensorsFile,
  type SafetensorsContents,
  SafetensorsError,
  type SafetensorsReadOptions,
  type SafetensorsTensor,
} from './safetensors';

/** File name of the index of a sharded checkpoint, as transformers writes it. */
export const SAFETENSORS_INDEX_FILE = 'model.safetensors.index.json';

/** Options of {@link readShardedSafetensors}. */
export interface ShardedSafetensorsReadOptions extends SafetensorsReadOptions {
  /** Index file inside the directory, default {@link SAFETENSORS_INDEX_FILE}. */
  indexFile?: string;
  /** Tensors to read (all those of `weight_map` when absent); each must be listed in `weight_map`. */
  names?: Iterable<string>;
}

/**
 * Reads a sharded checkpoint: `model.safetensors.index.json`, whose `weight_map` maps each tensor name to a shard file
 * in the same directory, then each shard tensor by tensor (see {@link readSafetensorsFile}), taking from every shard
 * only the tensors the map assigns to it. Tensors come in `weight_map` order; the metadata is that of the
 * shard holding the first tensor read.
 * @throws SafetensorsError naming the index file and the `weight_map` entry for a missing or malformed map, a shard
 *   outside the directory, or a requested name the map lacks; naming the shard and tensor for a malformed shard or a
 *   mapped tensor the shard lacks.
 */
export async function readShardedSafetensors(
  directory: string,
  options: ShardedSafetensorsReadOptions = {},
): Promise<SafetensorsContents> {
  const indexPath = join(directory, options.indexFile ?? SAFETENSORS_INDEX_FILE);
  const fail = (message: string): never => {
    throw new SafetensorsError(indexPath, message);
  };
  let index: unknown;
  try {
    index = JSON.parse(await readFile(indexPath, 'utf8'));
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    fail(`not valid JSON (${error.message})`);
  }
  const weightMap = isPlainObject(index) ? (index as { weight_map?: unknown }).weight_map : undefined;
  if (!isPlainObject(weightMap)) fail('weight_map must be an object of tensor name -> shard file');
  const entries = Object.entries(weightMap as Record<string, unknown>);
  const wanted = options.names === undefined ? undefined : new Set(options.names);
  if (wanted !== undefined) {
    const listed = new Set(entries.map(([name]) => name));
    for (const name of wanted) if (!listed.has(name)) fail(`weight_map has no tensor ${JSON.stringify(name)}`);
  }
  const namesByShard = new Map<string, string[]>();
  for (const [name, shard] of entries) {
    // a shard path with a separator could read files outside the checkpoint
    if (typeof shard !== 'string' || shard === '' || /[/\\]/.test(shard) || shard === '.' || shard === '..') {
      fail(`weight_map.${name} must name a shard file in the same directory, got ${JSON.stringify(shard)}`);
    }
    if (wanted !== undefined && !wanted.has(name)) continue;
    const names = namesByShard.get(shard as string) ?? [];
    names.push(name);
    namesByShard.set(shard as string, names);
  }
  const read = new Map<string, SafetensorsTensor>();
  let metadata: Record<string, string> | undefined;
  for (const [shard, names] of namesByShard) {
    const contents = await readSafetensorsFile(join(directory, shard), {
      names,
      maxHeaderBytes: options.maxHeaderBytes,
    });
    metadata ??= contents.metadata;
    for (const [name, tensor] of contents.tensors) read.set(name, tensor);
  }
  const tensors = new Map<string, SafetensorsTensor>();
  for (const [name] of entries) {
    const tensor = read.get(name);
    if (tensor !== undefined) tensors.set(name, tensor);
  }
  return { tensors, metadata: metadata ?? {} };
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
