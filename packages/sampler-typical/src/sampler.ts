import { argmax, type DrawnToken, drawAmong, drawLoadedRow, drawToken, type RandomSource } from './categorical';
import { compactRow, expandSelection } from './compact-row';
import { SamplerInputError } from './errors';
import { largestLogit, requireInteger, summariseRow } from './logits-row';
import { maskTokens } from './mask-tokens';
import { bannedNgramTokens, banTokens } from './no-repeat-ngram';
import { repetitionPenalty } from './repetition-penalty';
import { type Selection, selectedRow } from './selection';
import { logNormalizer as logNormalizerOf, sumExponentials } from './softmax';
import { type SoftmaxKernel, softmaxKernel } from './softmax-kernel';
import { applyTemperature, divideRow } from './temperature';
import { selectTopK, topKFilter } from './top-k-filter';
import { selectTopP, topPFilter } from './top-p-filter';
import { selectTypical, typicalFilter } from './typical-filter';
import { candidateLogitScratch, candidateScratch, scaledRowScratch } from './workspace';

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
  /**
   * Bans every token that would repeat an n-gram of this size already in the row's n-gram history (`previousIds`
   * unless given apart), as Hugging Face's `no_repeat_ngram_size`; an integer >= 0, default 0 (off).
   */
  noRepeatNgramSize?: number;
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
   * (penalty, n-gram ban, masks, temperature, then top-k, top-p, typical), i.e. the kept tokens renormalised.
   */
  logProb: number;
  /**
   * Natural-log probability of `tokenId` under softmax of the logits exactly as passed in: before the repetition
   * penalty, the n-gram ban, the masks, the temperature and every filter. This is the policy's own log-probability,
   * the one PPO's ratio and KL terms use.
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
   * Runs the chain on one row: repetition penalty, no-repeat n-grams, masks, temperature, top-k, top-p, typical
   * (Hugging Face's order). `previousIds` is the history of the repetition penalty, and of the n-gram ban unless
   * `ngramHistory` is given (e.g. only the generated part of the sequence). Returns a new row (or `logits` itself
   * when no processor is on).
   */
  process(logits: Float32Array, previousIds?: ArrayLike<number>, ngramHistory?: ArrayLike<number>): Float32Array;
  /** Processes one row and draws a token with one number from `rng`. */
  sample(
    logits: Float32Array,
    rng: RandomSource,
    previousIds?: ArrayLike<number>,
    ngramHistory?: ArrayLike<number>,
  ): SampledToken;
  /**
   * Samples each row of `logits`, a row-major [batchSize, V] array; `previousIds[b]` (if given) is row b's history,
   * `ngramHistories[b]` (if given) its n-gram history. Rows are drawn in order, one number from `rng` each.
   */
  sampleBatch(
    logits: Float32Array,
    batchSize: number,
    rng: RandomSource,
    previousIds?: readonly ArrayLike<number>[],
    ngramHistories?: readonly ArrayLike<number>[],
  ): SampledBatch;
  /**
   * Greedy decoding: the argmax after the repetition penalty, the n-gram ban and the masks (warpers never change the
   * most probable token except by removing it, so they are skipped, as in Hugging Face's greedy search). `logProb` is
   * under the penalised and masked distribution at temperature 1.
   */
  greedy(logits: Float32Array, previousIds?: ArrayLike<number>, ngramHistory?: ArrayLike<number>): SampledToken;
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
  // Hugging Face's generation config disables the ban with 0, its default.
  const ngramSize = requireInteger(options.noRepeatNgramSize ?? 0, 'noRepeatNgramSize', 0);
  const masked = options.allow !== undefined || options.deny !== undefined;
  const maskOptions = { allow: options.allow, deny: options.deny };

  // A step needs no processed row: the temperature scales the kernel's copy of the row, each filter lists the tokens
  // it keeps, and the draw runs over the last filter's list alone. Between two filters the kept tokens become a compact
  // row, on which the next filter decides exactly as on the row the public function before it would return.
  const filtered = topK !== undefined || topP !== 1 || typicalP !== 1;
  const keptByTopK = Math.max(topK ?? 1, minTokensToKeep);

  /** The ids the n-gram step bans after `ngramHistory` (none when the option is off). */
  function bansAfter(ngramHistory: ArrayLike<number> | undefined): readonly number[] {
    return ngramSize === 0 || ngramHistory === undefined ? NO_BANS : bannedNgramTokens(ngramHistory, ngramSize);
  }

  function penaliseAndMask(
    logits: Float32Array,
    previousIds: ArrayLike<number> | undefined,
    banned: readonly number[],
  ): Float32Array {
    let row = logits;
    if (penaltyApplies(previousIds)) {
      row = repetitionPenalty(row, previousIds, penalty);
    }
    if (banned.length > 0) row = banTokens(row, banned, 'ngramHistory');
    if (masked) row = maskTokens(row, maskOptions);
    return row;
  }

  function process(
    logits: Float32Array,
    previousIds?: ArrayLike<number>,
    ngramHistory: ArrayLike<number> | undefined = previousIds,
  ): Float32Array {
    const row = penaliseAndMask(logits, previousIds, bansAfter(ngramHistory));
    const kernel = softmaxKernel();
    if (!filtered || kernel === undefined) return warp(row);
    // The temperature divides the kernel's copy, and the last filter writes the one row returned.
    const max = Math.fround(kernel.loadRow(row) / temperature);
    // A scaled row beyond float32, or with nothing left above -Infinity, takes the public functions for their errors.
    if (max - max !== 0) return warp(row);
    if (temperature !== 1) kernel.scaleRow(temperature);
    return selectedRow(selectChain(kernel.loadedRow(), max, kernel), row.length);
  }

  /** Z of the row that the first filter of the last {@link selectChain} saw (NaN when that filter was top-k). */
  let firstNormalizer = Number.NaN;

  /**
   * The filters of the chain in Hugging Face's order (top-k, top-p, typical) on `scaled`, the penalised and masked row
   * divided by the temperature, whose largest logit is `max`: the kernel's copy when `kernel` is given, else a row in
   * JavaScript memory. Returns the last filter's selection. A filter after the first runs on the compact row of the
   * tokens kept so far (see {@link compactRow}), which it decides exactly as on the whole row.
   */
  function selectChain(scaled: Float32Array, max: number, kernel: SoftmaxKernel | undefined): Selection {
    const length = scaled.length;
    let row = scaled;
    let rowMax = max;
    let selection: Selection | undefined;
    for (let filter = 0; filter < 3; filter++) {
      if ((filter === 0 && topK === undefined) || (filter === 1 && topP === 1) || (filter === 2 && typicalP === 1)) {
        continue;
      }
      const first = selection === undefined;
      const compacted = selection !== undefined && selection.filtered === undefined;
      if (selection !== undefined) {
        // A filter that built its row whole (nothing removed, or minTokensToKeep past its cut) hands over that row.
        row = selection.filtered ?? compactRow(selection.keptCount);
        rowMax = kernel === undefined ? largestLogit(row) : kernel.loadRow(row);
        if (kernel !== undefined) row = kernel.loadedRow();
      }
      selection =
        filter === 0
          ? selectTopK(row, kernel, keptByTopK)
          : filter === 1
            ? selectTopP(row, rowMax, kernel, topP, minTokensToKeep)
            : selectTypical(row, rowMax, kernel, typicalP, minTokensToKeep);
      if (compacted) selection = expandSelection(selection, length);
      if (first) firstNormalizer = selection.normalizer;
    }
    // `filtered` holds whenever this runs, so one filter at least ran.
    return selection as Selection;
  }

  /** The warpers, in Hugging Face's order, on a penalised and masked row. */
  function warp(penalised: Float32Array): Float32Array {
    let row = penalised;
    if (temperature !== 1) row = applyTemperature(row, temperature);
    if (topK !== undefined) row = topKFilter(row, { k: topK, minTokensToKeep });
    if (topP !== 1) row = topPFilter(row, { p: topP, minTokensToKeep });
    if (typicalP !== 1) row = typicalFilter(row, { mass: typicalP, minTokensToKeep });
    return row;
  }

  function sample(
    logits: Float32Array,
    rng: RandomSource,
    previousIds?: ArrayLike<number>,
    ngramHistory: ArrayLike<number> | undefined = previousIds,
  ): SampledToken {
    const banned = bansAfter(ngramHistory);
    const kernel = softmaxKernel();
    // The row as passed in is checked once, here: the kernel's copy and its largest logit, or one JavaScript pass.
    const max = kernel === undefined ? summariseRow(logits).max : kernel.loadRow(logits);
    const penalisedOrMasked = penaltyApplies(previousIds) || banned.length > 0 || masked;
    // A first filter of the softmax kind gives the normaliser of the row as passed in when it sees that very row; when
    // the filters see that row divided by the temperature, the pass for the normaliser also divides the kernel's copy.
    const scaledInPass = kernel !== undefined && !penalisedOrMasked && temperature !== 1;
    const normalizerFromFilter = !penalisedOrMasked && temperature === 1 && topK === undefined && filtered;
    let logNormalizer = Number.NaN;
    if (scaledInPass) {
      logNormalizer = Math.log(kernel.normalizerThenScale(max, temperature));
    } else if (!normalizerFromFilter) {
      logNormalizer = Math.log(kernel === undefined ? sumExponentials(logits, max) : kernel.normalizer(max));
    }
    const row = penaliseAndMask(logits, previousIds, banned);
    let rowMax = row === logits ? max : kernel === undefined ? summariseRow(row).max : kernel.loadRow(row);
    let scaled = row;
    if (temperature !== 1) {
      // Division by a positive number and the rounding to float32 are both monotone.
      rowMax = Math.fround(rowMax / temperature);
      if (kernel !== undefined) {
        if (!scaledInPass) kernel.scaleRow(temperature);
      } else scaled = divideRow(row, temperature, scaledRowScratch(row.length));
    }
    if (kernel !== undefined) scaled = kernel.loadedRow();
    let drawn: DrawnToken | undefined;
    // A scaled row beyond float32, or with nothing left above -Infinity, takes the public functions for their errors.
    if (rowMax - rowMax === 0 && !filtered) {
      drawn = drawWhole(row, scaled, rowMax, kernel, rng);
    } else if (rowMax - rowMax === 0) {
      const selection = selectChain(scaled, rowMax, kernel);
      if (Number.isNaN(logNormalizer)) logNormalizer = Math.log(firstNormalizer);
      drawn =
        selection.filtered === undefined
          ? drawAmong(candidateScratch(0), candidateLogitScratch(0), selection.keptCount, rng)
          : drawToken(selection.filtered, rng);
    }
    drawn ??= drawToken(warp(row), rng);
    return { ...drawn, unfilteredLogProb: logits[drawn.tokenId] - max - logNormalizer };
  }

  /**
   * A draw from the whole of `scaled`, the penalised and masked `row` divided by the temperature (the kernel's copy
   * when `kernel` is given), whose largest logit is `max`.
   */
  function drawWhole(
    row: Float32Array,
    scaled: Float32Array,
    max: number,
    kernel: SoftmaxKernel | undefined,
    rng: RandomSource,
  ): DrawnToken {
    // The scratch row may be reused by the random source.
    if (kernel === undefined) return drawToken(scaled === row ? row : scaled.slice(), rng);
    return drawLoadedRow(kernel, max, rng, () => {
      const reloaded = kernel.loadRow(row);
      if (temperature === 1) return reloaded;
      kernel.scaleRow(temperature);
      return max;
    });
  }

  function penaltyApplies(previousIds: ArrayLike<number> | undefined): previousIds is ArrayLike<number> {
    return penalty !== 1 && previousIds !== undefined && previousIds.length > 0;
  }

  function sampleBatch(
    logits: Float32Array,
    batchSize: number,
    rng: RandomSource,
    previousIds?: readonly ArrayLike<number>[],
    ngramHistories?: readonly ArrayLike<number>[],
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
    if (ngramHistories !== undefined && ngramHistories.length !== batchSize) {
      throw new SamplerInputError(
        'ngramHistories',
        `has ${ngramHistories.length} rows, expected batchSize ${batchSize}`,
      );
    }
    const vocabularySize = logits.length / batchSize;
    const result: SampledBatch = {
      tokenIds: new Int32Array(batchSize),
      logProbs: new Float64Array(batchSize),
      unfilteredLogProbs: new Float64Array(batchSize),
    };
    for (let row = 0; row < batchSize; row++) {
      const drawn = sample(
        logits.subarray(row * vocabularySize, (row + 1) * vocabularySize),
        rng,
        previousIds?.[row],
        ngramHistories === undefined ? previousIds?.[row] : ngramHistories[row],
      );
      result.tokenIds[row] = drawn.tokenId;
      result.logProbs[row] = drawn.logProb;
      result.unfilteredLogProbs[row] = drawn.unfilteredLogProb;
    }
    return result;
  }

  function greedy(
    logits: Float32Array,
    previousIds?: ArrayLike<number>,
    ngramHistory: ArrayLike<number> | undefined = previousIds,
  ): SampledToken {
    const kernel = softmaxKernel();
    const max = kernel === undefined ? summariseRow(logits).max : kernel.loadRow(logits);
    const logNormalizer = Math.log(kernel === undefined ? sumExponentials(logits, max) : kernel.normalizer(max));
    const row = penaliseAndMask(logits, previousIds, bansAfter(ngramHistory));
    const tokenId = row === logits ? logits.indexOf(max) : argmax(row);
    return {
      tokenId,
      logProb: row === logits ? logits[tokenId] - max - logNormalizer : -logNormalizerOf(row, row[tokenId]),
      unfilteredLogProb: logits[tokenId] - max - logNormalizer,
    };
  }

  return {
    options: {
      ...options,
      temperature,
      topK,
      topP,
      typicalP,
      minTokensToKeep,
      repetitionPenalty: penalty,
      noRepeatNgramSize: ngramSize,
    },
    process,
    sample,
    sampleBatch,
    greedy,
  };
}

const NO_BANS: readonly number[] = Object.freeze([]);

function requireMass(value: number | undefined, field: string): number {
  if (value === undefined) return 1;
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
    throw new SamplerInputError(field, `must be in the interval (0, 1], got ${String(value)}`);
  }
  return value;
}
