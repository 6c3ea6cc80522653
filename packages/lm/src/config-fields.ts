import { z } from 'zod';

/** A positive integer size (layers, heads, widths). */
export const positiveInteger = z.number().int().positive();

/** A token id: a non-negative integer. */
export const tokenIdField = z.number().int().min(0);

/** A probability-like fraction in (0, 1]. */
export const unitFraction = z.number().gt(0).lte(1);

/** A dropout rate in [0, 1). */
export const dropoutRate = z.number().min(0).lt(1);

/** One token id or several (generation stops at any of them), as Hugging Face writes `eos_token_id`. */
export const tokenIdOrList = z.union([tokenIdField, z.array(tokenIdField).min(1)]);
