import { readJsonlAll, validate } from '@diffchat/core';
import type { TextTokenizer } from '@diffchat/lm';
import { z } from 'zod';
import { type LossMode, type TokenizedExample, truncateExample } from './sft-math';
import { type PromptTemplate, renderExample, requiredFields } from './template';

/** Training records: a JSONL file's path, or the records themselves (objects with the template's fields). */
export type SftData = string | readonly Readonly<Record<string, unknown>>[];

/** A schema that admits any object having the template's fields as strings or numbers, other keys kept. */
export function recordSchemaFor(template: PromptTemplate) {
  const fields = Object.fromEntries(
    requiredFields(template).map((field) => [field, z.union([z.string(), z.number()])] as const),
  );
  return z.looseObject(fields);
}

/**
 * The records of a data source, each checked for the template's fields.
 * @throws JsonlError naming `file:line` and the field; ValidationError naming the record index for arrays.
 */
export async function loadRecords(data: SftData, template: PromptTemplate): Promise<Record<string, unknown>[]> {
  const schema = recordSchemaFor(template);
  if (typeof data === 'string') return (await readJsonlAll(data, schema)).records;
  return data.map((record, index) => validate(schema, record, `data[${index}]`));
}

/** Token ids the trainer needs from the tokenizer and config. */
export interface SpecialIds {
  /** Appended to completions when the template says so. */
  eos: number;
  /** Fills padding positions (never attended, never counted). */
  pad: number;
}

/** What tokenising a data set gave: examples, and how many records could not fit `maxLength`. */
export interface TokenizedData {
  examples: TokenizedExample[];
  /** Records dropped because no completion token fitted in `maxLength` (completion mode). */
  dropped: number;
  /** Records whose completion was cut to fit. */
  truncated: number;
}

/**
 * Renders and tokenises records: the prompt as generation will see it (the tokenizer's special tokens added),
 * the completion without special tokens, then eos; prompt and completion are encoded apart so the boundary
 * between masked and learned tokens is exact.
 */
export function tokenizeRecords(
  records: readonly Readonly<Record<string, unknown>>[],
  template: PromptTemplate,
  tokenizer: TextTokenizer,
  special: SpecialIds,
  maxLength: number,
  mode: LossMode,
  source = 'data',
): TokenizedData {
  const examples: TokenizedExample[] = [];
  let dropped = 0;
  let truncated = 0;
  records.forEach((record, index) => {
    const { prompt, completion } = renderExample(template, record, `${source}[${index}]`);
    const promptIds = prompt === '' ? [] : tokenizer.encode(prompt);
    const completionIds = tokenizer.encode(completion, { addSpecialTokens: false });
    if (template.appendEos) completionIds.push(special.eos);
    const full: TokenizedExample = { ids: [...promptIds, ...completionIds], promptLength: promptIds.length };
    const fitted = truncateExample(full, maxLength, mode);
    if (fitted === undefined) dropped++;
    else {
      if (fitted.ids.length < full.ids.length) truncated++;
      examples.push(fitted);
    }
  });
  return { examples, dropped, truncated };
}
