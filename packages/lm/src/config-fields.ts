import { z } from 'zod';

/**
 * Largest sizes a config.json may declare. Each is far above any released model of the supported
 * architectures (BLOOM-176B: 70 layers, width 14336, 112 heads, 250880 tokens), so real files pass, while an
 * absurd value is refused at validation instead of allocating gigabytes and aborting the process later.
 */
export const CONFIG_LIMITS = {
  /** Transformer blocks (`n_layer`). */
  layers: 1024,
  /** Width of the residual stream (`n_embd`, `hidden_size`). */
  width: 65536,
  /** Width of the MLP's hidden layer (`n_inner`): four times the largest residual width. */
  innerWidth: 4 * 65536,
  /** Attention heads (`n_head`). */
  heads: 1024,
  /** Vocabulary (`vocab_size`): 2^24, where float32 stops representing every token id exactly. */
  vocabulary: 2 ** 24,
  /** Longest sequence (`n_positions`). */
  positions: 2 ** 20,
} as const;

/** A positive integer size (layers, heads, widths). */
export const positiveInteger = z.number().int().positive();

/** A positive integer size of at most `limit` (one of {@link CONFIG_LIMITS}). */
export function boundedSize(limit: number) {
  return positiveInteger.max(limit, { error: (issue) => `${issue.input} exceeds the supported maximum of ${limit}` });
}

/** A token id: a non-negative integer. */
export const tokenIdField = z.number().int().min(0);

/** A probability-like fraction in (0, 1]. */
export const unitFraction = z.number().gt(0).lte(1);

/** A dropout rate in [0, 1). */
export const dropoutRate = z.number().min(0).lt(1);

/** One token id or several (generation stops at any of them), as Hugging Face writes `eos_token_id`. */
export const tokenIdOrList = z.union([tokenIdField, z.array(tokenIdField).min(1)]);
