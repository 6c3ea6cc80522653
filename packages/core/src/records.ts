import { createHash } from 'node:crypto';
import { z } from 'zod';

/*
 * Unknown keys: the project's own record schemas are strict (an unknown key is an error), because
 * a misspelt field ("edits") would otherwise vanish without a word; free-form extras go in `meta`.
 * Importers of outside formats strip unknown keys instead, since released files carry columns this
 * project does not use.
 */

/** A string with at least one non-whitespace character; kept as written (no trimming). */
export const nonEmptyStringSchema = z.string().regex(/\S/, 'must not be empty or blank');

/** JSON object of free-form extras carried along with a record. */
export const metaSchema = z.record(z.string(), z.unknown());

/** An edit triplet, in InstructPix2Pix's own field names: caption before, instruction, caption after. */
export const tripletSchema = z.strictObject({
  /** Caption of the image before the edit. */
  input: nonEmptyStringSchema,
  /** The edit instruction, e.g. "make it night". */
  edit: nonEmptyStringSchema,
  /** Caption of the image after the edit. */
  output: nonEmptyStringSchema,
  /** Provenance, e.g. the prompt world's ground-truth edit operation; absent in InstructPix2Pix's own files. */
  meta: z.record(z.string(), z.unknown()).optional(),
});

/** An edit triplet `{ input, edit, output }`. */
export type Triplet = z.output<typeof tripletSchema>;

/** A prompt-beautification pair: a plain prompt and a high-quality rewrite of it, with optional scores. */
export const promptPairSchema = z.strictObject({
  /** The plain prompt a user would write. */
  simple: nonEmptyStringSchema,
  /** The high-quality prompt for the same image. */
  beautiful: nonEmptyStringSchema,
  /** PickScore of the beautiful prompt's image, when the source reports one (BeautifulPrompt scale, about 15 to 25). */
  pickScore: z.number().optional(),
  /** Aesthetic score of the beautiful prompt's image, when the source reports one (LAION scale, about 1 to 10). */
  aestheticScore: z.number().optional(),
});

/** A prompt pair `{ simple, beautiful }`. */
export type PromptPair = z.output<typeof promptPairSchema>;

/** An InstructPE record: source prompt + instruction -> target prompt. `meta` defaults to `{}` when absent. */
export const instructPeRecordSchema = z.strictObject({
  /** Stable identifier, unique within a dataset. */
  id: nonEmptyStringSchema,
  /** The prompt before the instruction is applied. */
  source: nonEmptyStringSchema,
  /** What the user asks to change. */
  instruction: nonEmptyStringSchema,
  /** The prompt after the instruction is applied. */
  target: nonEmptyStringSchema,
  /** Free-form extras: provenance, scores, split, the raw prompts... */
  meta: metaSchema.default({}),
});

/** An InstructPE record `{ id, source, instruction, target, meta }`. */
export type InstructPeRecord = z.output<typeof instructPeRecordSchema>;

/**
 * A content-derived id (16 hex digits of SHA-256 over the fields, NUL-separated), so a record
 * imported twice gets the same id and duplicates can be found by id.
 */
export function contentId(...fields: readonly string[]): string {
  return createHash('sha256').update(fields.join('\u0000')).digest('hex').slice(0, 16);
}

/**
 * Imports one record of the released InstructPE files (`source_prompt`, `instruction`,
 * `beautified_source_prompt`, `beautified_target_prompt`) as an {@link InstructPeRecord}: the
 * beautified prompts become source and target, the raw source prompt goes to
 * `meta.rawSource`, and the id is the {@link contentId} of the four fields. Unknown keys are dropped.
 */
export const instructPeReleaseSchema = z
  .object({
    source_prompt: nonEmptyStringSchema,
    instruction: nonEmptyStringSchema,
    beautified_source_prompt: nonEmptyStringSchema,
    beautified_target_prompt: nonEmptyStringSchema,
  })
  .transform(
    (release): InstructPeRecord => ({
      id: contentId(
        release.source_prompt,
        release.instruction,
        release.beautified_source_prompt,
        release.beautified_target_prompt,
      ),
      source: release.beautified_source_prompt,
      instruction: release.instruction,
      target: release.beautified_target_prompt,
      meta: { format: 'instructpe-release', rawSource: release.source_prompt },
    }),
  );

/**
 * Imports one BeautifulPrompt record (`raw_prompt`, `prompt`, optional `pick_score`,
 * `aesthetic_score`) as a {@link PromptPair}. Unknown keys are dropped.
 */
export const beautifulPromptPairSchema = z
  .object({
    raw_prompt: nonEmptyStringSchema,
    prompt: nonEmptyStringSchema,
    pick_score: z.number().optional(),
    aesthetic_score: z.number().optional(),
  })
  .transform((release): PromptPair => {
    const pair: PromptPair = { simple: release.raw_prompt, beautiful: release.prompt };
    if (release.pick_score !== undefined) pair.pickScore = release.pick_score;
    if (release.aesthetic_score !== undefined) pair.aestheticScore = release.aesthetic_score;
    return pair;
  });

/**
 * Imports an InstructPix2Pix prompt file line (`input`, `edit`, `output`, as in
 * `human-written-prompts.jsonl`) as a {@link Triplet}, dropping any other keys.
 */
export const instructPix2PixTripletSchema = z
  .object({ input: nonEmptyStringSchema, edit: nonEmptyStringSchema, output: nonEmptyStringSchema })
  .transform((row): Triplet => ({ input: row.input, edit: row.edit, output: row.output }));

/**
 * Imports a row of the Hugging Face dataset `timbrooks/instructpix2pix-clip-filtered`
 * (`original_prompt`, `edit_prompt`, `edited_prompt`; the image columns are dropped) as a {@link Triplet}.
 */
export const instructPix2PixHubRowSchema = z
  .object({
    original_prompt: nonEmptyStringSchema,
    edit_prompt: nonEmptyStringSchema,
    edited_prompt: nonEmptyStringSchema,
  })
  .transform((row): Triplet => ({ input: row.original_prompt, edit: row.edit_prompt, output: row.edited_prompt }));
