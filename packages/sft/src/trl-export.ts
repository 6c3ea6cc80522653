import { type JsonlWriteMode, JsonlWriter } from '@diffchat/core';
import { z } from 'zod';
import { loadRecords, type SftData } from './sft-data';
import { type BuiltInTemplateName, type PromptTemplateInput, renderExample, resolveTemplate } from './template';

/** One line of TRL's prompt/completion dataset, as SFTTrainer reads it. */
export const trlPromptCompletionSchema = z.strictObject({ prompt: z.string(), completion: z.string() });

/** A `{ prompt, completion }` record. */
export type TrlPromptCompletion = z.output<typeof trlPromptCompletionSchema>;

/** Options of {@link exportTrlDataset}. */
export interface TrlExportOptions {
  /** Records: a JSONL path or an array of objects with the template's fields. */
  data: SftData;
  /** The template the records are rendered with (the same one `train` uses). Default `diffchat`. */
  template?: BuiltInTemplateName | PromptTemplateInput;
  /** Output JSONL path. */
  output: string;
  /** `create` (default) refuses an existing file; `overwrite` replaces it. */
  mode?: Extract<JsonlWriteMode, 'create' | 'overwrite'>;
}

/**
 * Writes records as TRL's prompt/completion JSONL (`{"prompt": ..., "completion": ...}`), rendered with the
 * template `train` uses, so a run can move to TRL's SFTTrainer (with accelerate or DeepSpeed) and the resulting
 * safetensors come back here. No end-of-sequence text is appended: TRL adds the tokenizer's eos itself.
 * Returns the number of lines written.
 */
export async function exportTrlDataset(options: TrlExportOptions): Promise<number> {
  const template = resolveTemplate(options.template ?? 'diffchat');
  const records = await loadRecords(options.data, template);
  const writer = await JsonlWriter.open(options.output, {
    mode: options.mode ?? 'create',
    schema: trlPromptCompletionSchema,
  });
  try {
    await writer.writeAll(records.map((record, index) => renderExample(template, record, `data[${index}]`)));
  } finally {
    await writer.close();
  }
  return records.length;
}
