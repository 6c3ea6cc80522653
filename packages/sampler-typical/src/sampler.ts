import { argmax, drawToken, type RandomSource } from './categorical';
import { SamplerInputError } from './errors';
import { requireInteger, summariseRow } from './logits-row';
import { maskTokens } from './mask-tokens';
import { repetitionPenalty } from './repetition-penalty';
import { logNormalizer } from './softmax';
import { applyTemperature } from './temperature';
import { topKFilter } from './top-k-filter';
import { topPFilter } from './top-p-filter';
import { typicalFilter } from './typical-filter';

/**
 * Options of {@link createSampler}. Every processor is off unless its option is set; note that this differs from
 * Hugging Face's `GenerationConfig`, whose default `top_k` is 50.
 */
export interface SamplerOptions {
  /** Divides the logits (after penalties and masks); a finite number > 0, default 1 (off). */
  temperature?: number;
  /** Keeps the k most probable tokens plus ties at the k-th logit; an integer >= 1, default off. */
  topK?: number;
  /** Nucleus mass in (0, 1]; default 1 (off). */
  topP?: number;
  /** Locally typical mass in (0, 1]; default 1 (off). */
  typicalP?: number;
  /** Lower bound on the tokens that top-k, top-p and typical keep; an integer >= 1, default 1. */
  minTokensToKeep?: number;
  /** Repetition penalty over `previousIds`; a finite number > 0, default 1 (off). */
  repetitionPenalty?: number;
  /** Restricted action space: only these token ids may be drawn. */
  allow?: ArrayLike<number>;
  /** Token ids that may never be drawn. */
  deny?: ArrayLike<number>;
}

/** A drawn token and the two log-probabilities a policy-gradient learner needs. */
export interface SampledToken {
  /** Token id in [0, V). */
  tokenId: number;
  /**
   * Natural-log probability of `tokenId` under the distribution it was drawn from: softmax of the processed logits
   * (penalty, masks, temperature, then top-k, top-p, typical), i.e. the kept tokens renormalised.
   */
  logProb: number;
  /**
   * Natural-log probability of `tokenId` under softmax of the logits exactly as passed in: before the repetition
   * penalty, the masks, the temperature and every filter. This is the policy's own log-probability, the one PPO's
   * ratio and KL terms use.
   */
  unfilteredLogProb: number;
}

/** Results of {@link Sampler.sampleBatch}, one entry per row. */
export interface SampledBatch {
  /** Token id drawn for each row (B entries). */
  tokenIds: Int32Array;
  /** {@link SampledToken.logProb} for each row. */
  logProbs: Float64Array;
  /** {@link SampledToken.unfilteredLogProb} for each row. */
  unfilteredLogProbs: Float64Array;
}

/** A configured chain of logits processors with ways to draw from it. */
export interface Sampler {
  /** The options it was created with, validated. */
  readonly options: Readonly<SamplerOptions>;
  /**
   * Runs the chain on one row: repetition penalty, masks, temperature, top-k, top-p, typical (Hugging Face's order).
   * Returns a new row (or `logits` itself when no processor is on).
   */
  process(logits: Float32Array, previousIds?: ArrayLike<number>): Float32Array;
  /** Processes one row and draws a token with one number from `rng`. */
  sample(logits: Float32Array, rng: RandomSource, previousIds?: ArrayLike<number>): SampledToken;
  /**
   * Samples each row of `logits`, a row-major [batchSize, V] array; `previousIds[b]` (if given) is row b's history.
   * Rows are drawn in order, one number from `rng` each.
   */
  sampleBatch(
    logits: Float32Array,
    batchSize: number,
    rng: RandomSource,
    previousIds?: readonly ArrayLike<number>[],
  ): SampledBatch;
  /**
   * Greedy decoding: the argmax after the repetition penalty and the masks (warpers never change the most probable
   * token except by removing it, so they are skipped, as in Hugging Face's greedy search). `logProb` is under the
   * penalised and masked distribution at temperature 1.
   */
  greedy(logits: Float32Array, previousIds?: ArrayLike<number>): SampledToken;
}

/**
 * Creates a {@link Sampler}. Options are validated here; token ids in `allow` / `deny` / `previousIds` are checked
 * against each row.
 *
 * @example
 * const sampler = createSampler({ temperature: 0.8, typicalP: 0.95 });
 * const { tokenId, logProb, unfilteredLogProb } = sampler.sample(logits, Math.random);
 *
 * @throws {@link SamplerInputError} naming the option that is out of range.
 */
export function createSampler(options: SamplerOptions = {}): Sampler {
  const temperature = options.temperature ?? 1;
  if (typeof temperature !== 'number' || !(temperature > 0 && temperature < Number.POSITIVE_INFINITY)) {
    throw new SamplerInputError('temperature', `must be a finite number > 0, got ${String(temperature)}`);
  }
  const topK = options.topK === undefined ? undefined : requireInteger(options.topK, 'topK', 1);
  const topP = requireMass(options.topP, 'topP');
  const typicalP = requireMass(options.typicalP, 'typicalP');
  const minTokensToKeep = requireInteger(options.minTokensToKeep ?? 1, 'minTokensToKeep', 1);
  const penalty = options.repetitionPenalty ?? 1;
  if (typeof penalty !== 'number' || !(penalty > 0 && penalty < Number.POSITIVE_INFINITY)) {
    throw new SamplerInputError('repetitionPenalty', `must be a finite number > 0, got ${String(penalty)}`);
  }
  const masked = options.allow !== undefined || options.deny !== undefined;
  const maskOptions = { allow: options.allow, deny: options.deny };

  function penaliseAndMask(logits: Float32Array, previousIds: ArrayLike<number> | undefined): Float32Array {
    let row = logits;
    if (penalty !== 1 && previousIds !== undefined && previousIds.length > 0) {
      row = repetitionPenalty(row, previousIds, penalty);
    }
    if (masked) row = maskTokens(row, maskOptions);
    return row;
  }

  function process(logits: Float32Array, previousIds?: ArrayLike<number>): Float32Array {
    let row = penaliseAndMask(logits, previousIds);
    if (temperature !== 1) row = applyTemperature(row, temperature);
    if (topK !== undefined) row = topKFilter(row, { k: topK, minTokensToKeep });
    if (topP !== 1) row = topPFilter(row, { p: topP, minTokensToKeep });
    if (typicalP !== 1) row = typicalFilter(row, { mass: typicalP, minTokensToKeep });
    return row;
  }

  function sample(logits: Float32Array, rng: RandomSource, previousIds?: ArrayLike<number>): SampledToken {
    const { max } = summariseRow(logits);
    const { tokenId, logProb } = drawToken(process(logits, previousIds), rng);
    return { tokenId, logProb, unfilteredLogProb: logits[tokenId] - max - logNormalizer(logits, max) };
  }

  function sampleBatch(
    logits: Float32Array,
    batchSize: number,
    rng: RandomSource,
    previousIds?: readonly ArrayLike<number>[],
  ): SampledBatch {
    requireInteger(batchSize, 'batchSize', 1);
    if (logits.length === 0 || logits.length % batchSize !== 0) {
      throw new SamplerInputError(
        'logits',
        `length ${logits.length} is not a positive multiple of batchSize ${batchSize}`,
      );
    }
    if (previousIds !== undefined && previousIds.length !== batchSize) {
      throw new SamplerInputError('previousIds', `has ${previousIds.length} rows, expected batchSize ${batchSize}`);
    }
    const vocabularySize = logits.length / batchSize;
    const result: SampledBatch = {
      tokenIds: new Int32Array(batchSize),
      logProbs: new Float64Array(batchSize),
      unfilteredLogProbs: new Float64Array(batchSize),
    };
    for (let row = 0; row < batchSize; row++) {
      const drawn = sample(logits.subarray(row * vocabularySize, (row + 1) * vocabularySize), rng, previousIds?.[row]);
      result.tokenIds[row] = drawn.tokenId;
      result.logProbs[row] = drawn.logProb;
      result.unfilteredLogProbs[row] = drawn.unfilteredLogProb;
    }
    return result;
  }

  function greedy(logits: Float32Array, previousIds?: ArrayLike<number>): SampledToken {
    const { max } = summariseRow(logits);
    const row = penaliseAndMask(logits, previousIds);
    const tokenId = argmax(row);
    const rowMax = row[tokenId];
    return {
      tokenId,
      logProb: -logNormalizer(row, rowMax),
      unfilteredLogProb: logits[tokenId] - max - logNormalizer(logits, max),
    };
  }

  return {
    options: { ...options, temperature, topK, topP, typicalP, minTokensToKeep, repetitionPenalty: penalty },
    process,
    sample,
    sampleBatch,
    greedy,
  };
}

function requireMass(value: number | undefined, field: string): number {
  if (value === undefined) return 1;
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
    throw new SamplerInputError(field, `must be in the interval (0, 1], got ${String(value)}`);
  }
  return value;
}
