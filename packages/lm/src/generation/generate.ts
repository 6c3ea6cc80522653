import { SeededRandom } from '@diffchat/autodiff';
import { createSampler, type SampledToken } from '@diffchat/sampler-typical';
import type { GenerationConfig } from '../generation-config';
import type { TextTokenizer } from '../tokenizer';
import type { DecoderSession, KeyValueCache } from './decoder-session';
import { GenerationError } from './generation-error';

/**
 * Most tokens per row, prompt and new ones together, for models without a position table (BLOOM's ALiBi has no
 * hard limit, but the cache and every step grow with the length). Raise it with {@link GenerateOptions.maxLength}.
 */
export const DEFAULT_MAX_LENGTH = 2048;

/** Options of generation; absent fields fall back to the model's generation_config.json, then to the default. */
export interface GenerateOptions {
  /**
   * Most tokens generated per sequence. Default: generation config's max_new_tokens, else 20. More than
   * {@link maxLength} is an error; rows whose prompt leaves less room end with finishReason 'length'.
   */
  maxNewTokens?: number;
  /**
   * Most tokens per row, prompt and new ones together. Default: the model's n_positions (GPT-2), which it
   * cannot exceed, else {@link DEFAULT_MAX_LENGTH} (2048, BLOOM), which it may raise.
   */
  maxLength?: number;
  /** Sample (true) or take the most likely token (false). Default: generation config's do_sample, else false. */
  doSample?: boolean;
  /** Divides the logits before sampling (> 0). Default 1. */
  temperature?: number;
  /** Keep the k most likely tokens when sampling. Default off. */
  topK?: number;
  /** Nucleus sampling mass in (0, 1]. Default 1 (off). */
  topP?: number;
  /** Locally typical sampling mass in (0, 1]. Default 1 (off). */
  typicalP?: number;
  /** Tokens top-k, top-p and typical always keep. Default 1. */
  minTokensToKeep?: number;
  /** > 1 discourages tokens already in the prompt or the generated text. Default 1 (off). */
  repetitionPenalty?: number;
  /**
   * Bans every token that would repeat an n-gram of this size already in the row's history (Hugging Face's
   * `no_repeat_ngram_size`). Default: generation config's no_repeat_ngram_size, else 0 (off).
   */
  noRepeatNgramSize?: number;
  /**
   * Where each row's n-gram history starts: a position in the row's own sequence (its prompt tokens counted, left
   * padding not), one number for every row or one per prompt. Default 0: the prompt and the generated tokens, as in
   * Hugging Face; a row's prompt length counts its generated tokens only.
   */
  noRepeatNgramFrom?: number | readonly number[];
  /** Only these token ids may be generated (a restricted action space). Default: all. */
  allow?: readonly number[];
  /** These token ids are never generated. Default: none. */
  deny?: readonly number[];
  /** Token id(s) that end a sequence. Default: generation config, then config.json, then the tokenizer's eos. */
  eosTokenId?: number | readonly number[];
  /** Id fed for padding and after a sequence ends. Default: generation config, config.json, tokenizer pad, then eos. */
  padTokenId?: number;
  /** A sequence ends once its text contains one of these; the text is cut before it. Default none. */
  stopStrings?: readonly string[];
  /** Seed of the sampling stream. Default 0. */
  seed?: number;
  /** Uniform [0, 1) source used instead of the seeded stream. */
  random?: () => number;
  /** Add the tokenizer's special tokens (e.g. bos) to text prompts. Default true, as transformers does. */
  addSpecialTokens?: boolean;
}

/** Why a sequence ended. */
export type FinishReason = 'eos' | 'length' | 'stop';

/** One generated sequence. */
export interface GeneratedSequence {
  /** The new text (decoded without special tokens, cut before a stop string). */
  text: string;
  /** Prompt token ids (without padding). */
  promptIds: number[];
  /** New token ids, the eos or stop-string token included. */
  tokenIds: number[];
  /** Log-probability of each new token under the distribution it was drawn from (after all processors). */
  logProbs: number[];
  /** Log-probability of each new token under the model's own distribution (before any processor). */
  unfilteredLogProbs: number[];
  finishReason: FinishReason;
}

/** One token as it is generated (streaming). */
export interface GeneratedToken {
  /** Row of the batch (prompt index). */
  sequence: number;
  /** 0 for the first new token of the row. */
  position: number;
  tokenId: number;
  /** Text this token adds (may be '' while a multi-byte character is incomplete, or past a stop string). */
  text: string;
  logProb: number;
  unfilteredLogProb: number;
  /** Set on the row's last token. */
  finishReason?: FinishReason;
}

/** What generation needs from a model. */
export interface GenerationModel {
  decoder(): Promise<DecoderSession>;
  tokenizer?: TextTokenizer;
  generationConfig?: GenerationConfig;
  /** config.json: its eos_token_id, pad_token_id and bos_token_id are the last fallbacks. */
  config: Readonly<Record<string, unknown>>;
  /**
   * Sizes of the model: a prompt plus its new tokens must fit in `maxPositions` when the model has one, and
   * token ids must be below `vocabSize` when it is given.
   */
  dimensions?: { maxPositions?: number; vocabSize?: number };
}

/** Prompts as texts or as token ids. */
export type Prompts = string | readonly string[] | readonly (readonly number[])[];

function idList(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.filter((id): id is number => typeof id === 'number');
  return [];
}

interface LengthLimit {
  /** Most tokens per row, prompt and new ones together. */
  tokens: number;
  /** The limit and where it comes from, for messages. */
  describe: string;
}

interface ResolvedOptions {
  maxNewTokens: number;
  limit: LengthLimit;
  doSample: boolean;
  noRepeatNgramSize: number;
  eos: Set<number>;
  pad: number;
  stopStrings: readonly string[];
  random: () => number;
}

function resolveOptions(model: GenerationModel, options: GenerateOptions): ResolvedOptions {
  const generation = model.generationConfig ?? {};
  const special = model.tokenizer?.specialTokenIds ?? {};
  const eosList =
    options.eosTokenId !== undefined
      ? idList(options.eosTokenId)
      : idList(generation.eos_token_id ?? model.config.eos_token_id ?? special.eos);
  const pad =
    options.padTokenId ??
    generation.pad_token_id ??
    (typeof model.config.pad_token_id === 'number' ? model.config.pad_token_id : undefined) ??
    special.pad ??
    eosList[0] ??
    0;
  const maxNewTokens = options.maxNewTokens ?? generation.max_new_tokens ?? 20;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) {
    throw new GenerationError('maxNewTokens', `must be an integer >= 1, got ${maxNewTokens}`);
  }
  const limit = lengthLimit(model, options);
  if (maxNewTokens > limit.tokens) {
    throw new GenerationError('maxNewTokens', `${maxNewTokens} exceeds the length limit of ${limit.describe}`);
  }
  const vocabulary = model.dimensions?.vocabSize;
  if (!isTokenId(pad, vocabulary ?? Number.POSITIVE_INFINITY)) {
    throw new GenerationError(
      'padTokenId',
      `token id ${pad} is outside the vocabulary of ${vocabulary ?? 'the model'}`,
    );
  }
  const seeded = new SeededRandom(options.seed ?? 0);
  return {
    maxNewTokens,
    limit,
    doSample: options.doSample ?? generation.do_sample ?? false,
    noRepeatNgramSize: options.noRepeatNgramSize ?? generation.no_repeat_ngram_size ?? 0,
    eos: new Set(eosList),
    pad,
    stopStrings: options.stopStrings ?? [],
    random: options.random ?? (() => seeded.nextFloat()),
  };
}

/** The total length a row may reach: maxLength, bounded by the model's position table when it has one. */
function lengthLimit(model: GenerationModel, options: GenerateOptions): LengthLimit {
  const maxPositions = model.dimensions?.maxPositions;
  const requested = options.maxLength;
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 2) {
      throw new GenerationError(
        'maxLength',
        `must be an integer >= 2 (a prompt token and a new one), got ${requested}`,
      );
    }
    if (maxPositions !== undefined && requested > maxPositions) {
      throw new GenerationError(
        'maxLength',
        `${requested} exceeds the model's ${maxPositions} positions (n_positions)`,
      );
    }
    return { tokens: requested, describe: `${requested} (maxLength)` };
  }
  if (maxPositions !== undefined) return { tokens: maxPositions, describe: `${maxPositions} (n_positions)` };
  return { tokens: DEFAULT_MAX_LENGTH, describe: `${DEFAULT_MAX_LENGTH} (the default maxLength)` };
}

function isTokenId(id: unknown, vocabulary: number): boolean {
  return Number.isInteger(id) && (id as number) >= 0 && (id as number) < vocabulary;
}

/** Each row's {@link GenerateOptions.noRepeatNgramFrom}, checked. */
function ngramStarts(from: number | readonly number[] | undefined, rows: number): number[] {
  const starts = typeof from === 'object' ? [...from] : Array.from({ length: rows }, () => from ?? 0);
  if (starts.length !== rows) {
    throw new GenerationError('noRepeatNgramFrom', `has ${starts.length} entries for ${rows} prompts`);
  }
  starts.forEach((start, row) => {
    if (!Number.isInteger(start) || start < 0) {
      throw new GenerationError(`noRepeatNgramFrom[${row}]`, `must be an integer >= 0, got ${start}`);
    }
  });
  return starts;
}

function encodePrompts(model: GenerationModel, prompts: Prompts, options: GenerateOptions): number[][] {
  const list = typeof prompts === 'string' ? [prompts] : [...prompts];
  if (list.length === 0) throw new GenerationError('prompts', 'no prompts');
  return list.map((prompt, index) => {
    let ids: number[];
    if (typeof prompt === 'string') {
      if (!model.tokenizer) throw new Error('generate: text prompts need a tokenizer; pass token ids instead');
      ids = model.tokenizer.encode(prompt, { addSpecialTokens: options.addSpecialTokens ?? true });
    } else ids = [...prompt];
    if (ids.length === 0) {
      const bos = model.tokenizer?.specialTokenIds.bos ?? idList(model.config.bos_token_id)[0];
      if (bos === undefined) throw new GenerationError(`prompts[${index}]`, 'has no tokens and there is no bos token');
      ids = [bos];
    }
    const vocabulary = model.dimensions?.vocabSize;
    ids.forEach((id, position) => {
      if (!Number.isInteger(id)) {
        throw new GenerationError(`prompts[${index}][${position}]`, `token id ${id} is not an integer`);
      }
      if (!isTokenId(id, vocabulary ?? Number.POSITIVE_INFINITY)) {
        throw new GenerationError(
          `prompts[${index}][${position}]`,
          `token id ${id} is outside the vocabulary of ${vocabulary ?? 'the model'}`,
        );
      }
    });
    return ids;
  });
}

/**
 * Generates continuations of a batch of prompts token by token: prompts are left-padded into one batch, the
 * model runs once on the prompts and then once per new token with its KV cache, and each token is yielded as
 * soon as it is chosen. Rows that end keep being fed padding until every row has ended.
 */
export function streamTokens(
  model: GenerationModel,
  prompts: Prompts,
  options: GenerateOptions = {},
): AsyncGenerator<GeneratedToken, void, undefined> {
  return tokenLoop(model, prompts, options, true);
}

/** The decoding loop; `withText` decodes each row's text as it grows (streaming, stop strings). */
async function* tokenLoop(
  model: GenerationModel,
  prompts: Prompts,
  options: GenerateOptions,
  withText: boolean,
): AsyncGenerator<GeneratedToken, void, undefined> {
  const resolved = resolveOptions(model, options);
  const promptIds = encodePrompts(model, prompts, options);
  const sampler = createSampler({
    temperature: options.temperature,
    topK: options.topK,
    topP: options.topP,
    typicalP: options.typicalP,
    minTokensToKeep: options.minTokensToKeep,
    repetitionPenalty: options.repetitionPenalty,
    noRepeatNgramSize: resolved.noRepeatNgramSize,
    allow: options.allow,
    deny: options.deny,
  });
  const ngramFrom = ngramStarts(options.noRepeatNgramFrom, promptIds.length);
  const usesHistory = (options.repetitionPenalty ?? 1) !== 1 || resolved.noRepeatNgramSize > 0;
  // Plain greedy decoding picks the token inside the graph; any processor needs the logits here.
  const inGraphGreedy = !resolved.doSample && !usesHistory && options.allow === undefined && options.deny === undefined;
  const batch = promptIds.length;
  const promptLength = Math.max(...promptIds.map((ids) => ids.length));
  // A prompt that leaves no room is an error; otherwise rows end with finishReason 'length' at the limit, as most
  // rows end at an eos token long before maxNewTokens.
  if (promptLength >= resolved.limit.tokens) {
    const longest = promptIds.findIndex((ids) => ids.length === promptLength);
    throw new GenerationError(
      `prompts[${longest}]`,
      `has ${promptLength} tokens, which leaves no room for a new token within the length limit of ` +
        `${resolved.limit.describe}: shorten the prompt`,
    );
  }
  resolved.maxNewTokens = Math.min(resolved.maxNewTokens, resolved.limit.tokens - promptLength);

  const decoder = await model.decoder();

  // 1. Left-pad the prompts: every row's last prompt token sits in the last column.
  const inputIds = new BigInt64Array(batch * promptLength).fill(BigInt(resolved.pad));
  // Attention mask [batch, promptLength + maxNewTokens], row-major; a step feeds its first `columns` columns.
  const width = promptLength + resolved.maxNewTokens;
  const fullMask = new BigInt64Array(batch * width).fill(1n);
  promptIds.forEach((ids, row) => {
    fullMask.fill(0n, row * width, row * width + promptLength - ids.length);
  });
  let columns = promptLength;
  const nextPosition = promptIds.map((ids) => ids.length);
  promptIds.forEach((ids, row) => {
    ids.forEach((id, column) => {
      inputIds[row * promptLength + promptLength - ids.length + column] = BigInt(id);
    });
  });
  const positionIds = new BigInt64Array(batch * promptLength).fill(1n);
  promptIds.forEach((ids, row) => {
    for (let column = 0; column < ids.length; column++) {
      positionIds[row * promptLength + promptLength - ids.length + column] = BigInt(column);
    }
  });

  const generated = promptIds.map(() => [] as number[]);
  // Each row's prompt and generated tokens, for the processors that read the history.
  const histories = promptIds.map((ids) => [...ids]);
  const texts = promptIds.map(() => '');
  const finished: (FinishReason | undefined)[] = promptIds.map(() => undefined);
  const needsText = (withText || resolved.stopStrings.length > 0) && model.tokenizer !== undefined;
  let cache: KeyValueCache = decoder.emptyCache(batch, promptLength + resolved.maxNewTokens);
  let stepIds = inputIds;
  let stepPositions = positionIds;
  let stepLength = promptLength;

  for (let step = 0; step < resolved.maxNewTokens; step++) {
    // 2. One run: logits of each row's last position, cache extended.
    const flatMask = new BigInt64Array(batch * columns);
    for (let row = 0; row < batch; row++)
      flatMask.set(fullMask.subarray(row * width, row * width + columns), row * columns);
    const output = await decoder.step({
      inputIds: stepIds,
      attentionMask: flatMask,
      positionIds: stepPositions,
      sequenceLength: stepLength,
      cache,
      greedy: inGraphGreedy,
    });
    cache = output.cache;
    const [, positions, vocabulary] = output.logitsShape;
    const nextIds = new BigInt64Array(batch).fill(BigInt(resolved.pad));
    const tokens: GeneratedToken[] = [];

    // 3. Choose each unfinished row's token with the logits processors.
    for (let row = 0; row < batch; row++) {
      if (finished[row] !== undefined) continue;
      let chosen: SampledToken;
      if (inGraphGreedy) {
        const logProb = output.nextTokenLogProbs![row]!;
        chosen = { tokenId: Number(output.nextTokens![row]!), logProb, unfilteredLogProb: logProb };
      } else {
        const offset = (row * positions + positions - 1) * vocabulary;
        const logits = output.logits.subarray(offset, offset + vocabulary);
        const history = usesHistory ? histories[row]! : undefined;
        const ngramHistory = history !== undefined && ngramFrom[row]! > 0 ? history.slice(ngramFrom[row]) : history;
        chosen = resolved.doSample
          ? sampler.sample(logits, resolved.random, history, ngramHistory)
          : sampler.greedy(logits, history, ngramHistory);
      }
      const tokenId = chosen.tokenId;
      generated[row]!.push(tokenId);
      histories[row]!.push(tokenId);
      nextIds[row] = BigInt(tokenId);

      // 4. Stop on eos, a stop string, or the length limit.
      let reason: FinishReason | undefined = resolved.eos.has(tokenId) ? 'eos' : undefined;
      if (reason === undefined && generated[row]!.length >= resolved.maxNewTokens) reason = 'length';
      let text = '';
      if (needsText) {
        const full = model.tokenizer!.decode(generated[row]!, { skipSpecialTokens: true });
        const stopAt = firstStop(full, resolved.stopStrings);
        if (stopAt !== undefined) reason = 'stop';
        // Trailing replacement characters may be parts of a multi-byte character: wait for the rest.
        const stable = reason === undefined ? full.replace(/\uFFFD+$/, '') : full.slice(0, stopAt);
        if (stable.startsWith(texts[row]!)) {
          text = stable.slice(texts[row]!.length);
          texts[row] = stable;
        }
      }
      finished[row] = reason;
      tokens.push({
        sequence: row,
        position: generated[row]!.length - 1,
        tokenId,
        text,
        logProb: chosen.logProb,
        unfilteredLogProb: chosen.unfilteredLogProb,
        ...(reason === undefined ? {} : { finishReason: reason }),
      });
    }
    for (const token of tokens) yield token;
    if (finished.every((reason) => reason !== undefined)) return;

    // 5. Next step: one new token per row; finished rows get padding that nothing attends to.
    columns++;
    stepIds = nextIds;
    stepPositions = BigInt64Array.from(nextPosition, (position) => BigInt(position));
    for (let row = 0; row < batch; row++) nextPosition[row]!++;
    stepLength = 1;
  }
}

function firstStop(text: string, stopStrings: readonly string[]): number | undefined {
  let first: number | undefined;
  for (const stop of stopStrings) {
    if (stop.length === 0) continue;
    const index = text.indexOf(stop);
    if (index >= 0 && (first === undefined || index < first)) first = index;
  }
  return first;
}

/** Runs {@link streamTokens} to the end and collects each row's text, token ids and log-probabilities. */
export async function generateSequences(
  model: GenerationModel,
  prompts: Prompts,
  options: GenerateOptions = {},
): Promise<GeneratedSequence[]> {
  const promptIds = encodePrompts(model, prompts, options);
  const sequences: GeneratedSequence[] = promptIds.map((ids) => ({
    text: '',
    promptIds: ids,
    tokenIds: [],
    logProbs: [],
    unfilteredLogProbs: [],
    finishReason: 'length',
  }));
  for await (const token of tokenLoop(model, promptIds, options, false)) {
    const sequence = sequences[token.sequence]!;
    sequence.tokenIds.push(token.tokenId);
    sequence.logProbs.push(token.logProb);
    sequence.unfilteredLogProbs.push(token.unfilteredLogProb);
    if (token.finishReason) sequence.finishReason = token.finishReason;
  }
  sequences.forEach((sequence) => {
    if (!model.tokenizer) return;
    const text = model.tokenizer.decode(sequence.tokenIds, { skipSpecialTokens: true });
    sequence.text = text.slice(0, firstStop(text, options.stopStrings ?? []) ?? text.length);
  });
  return sequences;
}
