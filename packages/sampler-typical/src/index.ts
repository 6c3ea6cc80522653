/**
 * @packageDocumentation
 * Locally typical sampling and Hugging Face-compatible logits warpers, with no runtime dependencies. Every filter
 * takes one row of logits (Float32Array) and returns a new row with removed tokens at -Infinity; a sampler chains
 * them in Hugging Face's order and draws tokens with their filtered and unfiltered log-probabilities.
 */
export { argmax, type DrawnToken, drawToken, logSoftmaxAt, type RandomSource } from './categorical';
export { SamplerInputError } from './errors';
export { type MaskTokensOptions, maskTokens } from './mask-tokens';
export { bannedNgramTokens } from './no-repeat-ngram';
export { repetitionPenalty } from './repetition-penalty';
export { createSampler, type SampledBatch, type SampledToken, type Sampler, type SamplerOptions } from './sampler';
export { applyTemperature } from './temperature';
export { type TopKFilterOptions, topKFilter } from './top-k-filter';
export { type TopPFilterOptions, topPFilter } from './top-p-filter';
export { type TypicalFilterOptions, typicalFilter } from './typical-filter';
