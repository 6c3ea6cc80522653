import { ConfigError } from '@diffchat/core';
import { type CausalLM, loadModel, type ResolveModelOptions, resolveModel } from '@diffchat/lm';
import {
  type BuiltInTemplateName,
  loadTemplate,
  type PromptTemplate,
  type PromptTemplateInput,
  resolveTemplate,
  templateFields,
} from '@diffchat/sft';

/** A beautifier: a causal LM and the template its prompts were trained with. */
export interface Beautifier {
  model: CausalLM;
  /** Renders `{simple}` into the model's prompt; its completion holds `{beautiful}`. */
  template: PromptTemplate;
}

/** The template BeautifulPrompt's released checkpoints were trained with, which is also this package's default. */
export const BEAUTIFIER_TEMPLATE: BuiltInTemplateName = 'beautiful-prompt';

/**
 * A template resolved and checked for a beautifier: its prompt uses exactly the field `simple`, its completion
 * exactly `beautiful`.
 * @throws ConfigError naming `source` and what is wrong.
 */
export function beautifierTemplate(
  template: BuiltInTemplateName | PromptTemplateInput = BEAUTIFIER_TEMPLATE,
  source = 'template',
): PromptTemplate {
  const resolved = resolveTemplate(template, source);
  const promptFields = templateFields(resolved.prompt);
  const completionFields = templateFields(resolved.completion);
  if (promptFields.join() !== 'simple') {
    throw new ConfigError(
      `${source}.prompt: a beautifier's prompt must use the field {simple} and no other, got ${promptFields.map((field) => `{${field}}`).join(', ') || 'none'}`,
    );
  }
  if (completionFields.join() !== 'beautiful') {
    throw new ConfigError(
      `${source}.completion: a beautifier's completion must use the field {beautiful} and no other, got ${completionFields.map((field) => `{${field}}`).join(', ') || 'none'}`,
    );
  }
  return resolved;
}

/**
 * Loads a beautifier from a local model folder or a hub repository id (e.g.
 * `alibaba-pai/pai-bloom-1b1-text2prompt-sd`; GPT-2 and BLOOM are supported). The template is the folder's
 * `template.json` (written by `trainBeautifier`) or, when it has none, BeautifulPrompt's.
 * @throws ModelNotAvailableError when the hub cannot provide the model; ModelFormatError for a bad folder.
 */
export async function loadBeautifier(source: string, options: ResolveModelOptions = {}): Promise<Beautifier> {
  const directory = await resolveModel(source, options);
  const [model, stored] = await Promise.all([loadModel(directory), loadTemplate(directory)]);
  if (!model.tokenizer) throw new ConfigError(`${source}: the model has no tokenizer`);
  return { model, template: beautifierTemplate(stored ?? BEAUTIFIER_TEMPLATE, `${directory}/template.json`) };
}
