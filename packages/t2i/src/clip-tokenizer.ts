import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';

/** Thrown when a Stable Diffusion model folder is missing a file or holds one that cannot be used. */
export class ModelFolderError extends Error {
  override readonly name = 'ModelFolderError';
}

/** Turns prompts into the fixed-length id rows the CLIP text encoder takes. */
export interface ClipTokenizer {
  /** Row length (77 for SD 1.x/2.x). */
  readonly length: number;
  /** Ids of `text` with start and end tokens, cut to `length` (keeping the end token) and padded. */
  encode(text: string): number[];
}

async function readJson(path: string, required: boolean): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ModelFolderError(`${path}: cannot read (${(error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelFolderError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ModelFolderError(`${path}: expected a JSON object`);
  }
  return json as Record<string, unknown>;
}

/** Longest `model_max_length` taken at face value; transformers writes a huge sentinel when there is no limit. */
const sentinelLength = 100_000;

/**
 * Loads `tokenizer/tokenizer.json` (and `tokenizer_config.json` when present) of an SD folder. The pad token is the
 * config's `pad_token` (SD 2.x pads with "!"), else the end token (SD 1.x); the row length is `length`, else the
 * config's `model_max_length`, else 77.
 * @throws ModelFolderError naming the file when it is missing, malformed, or not a tokenizer
 */
export async function loadClipTokenizer(folder: string, length?: number): Promise<ClipTokenizer> {
  const tokenizerPath = join(folder, 'tokenizer.json');
  const configPath = join(folder, 'tokenizer_config.json');
  const json = (await readJson(tokenizerPath, true))!;
  const config = (await readJson(configPath, false)) ?? {};
  let tokenizer: Tokenizer;
  let startAndEnd: number[];
  try {
    tokenizer = new Tokenizer(json, config);
    startAndEnd = tokenizer.encode('').ids;
  } catch (error) {
    throw new ModelFolderError(`${tokenizerPath}: not a usable tokenizer (${(error as Error).message})`);
  }
  if (startAndEnd.length < 1 || !startAndEnd.every((id) => Number.isInteger(id) && id >= 0)) {
    throw new ModelFolderError(`${tokenizerPath}: the tokenizer adds no start/end tokens to an empty prompt`);
  }
  const endId = startAndEnd.at(-1)!;
  const padToken =
    typeof config.pad_token === 'object' ? (config.pad_token as { content?: unknown })?.content : config.pad_token;
  const padId = typeof padToken === 'string' ? (tokenizer.token_to_id(padToken) ?? endId) : endId;
  const configured = config.model_max_length;
  const rowLength =
    length ??
    (typeof configured === 'number' && Number.isInteger(configured) && configured > 1 && configured < sentinelLength
      ? configured
      : 77);
  return {
    length: rowLength,
    encode(text: string): number[] {
      let ids = tokenizer.encode(text).ids;
      if (ids.length > rowLength) ids = [...ids.slice(0, rowLength - 1), endId];
      return [...ids, ...new Array<number>(rowLength - ids.length).fill(padId)];
    },
  };
}
