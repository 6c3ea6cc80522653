import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, validate } from '@diffchat/core';
import { z } from 'zod';

/**
 * How a record becomes a training example: the prompt (masked out of the loss) and the completion (learned),
 * each a string with named fields in braces, filled from the record's string fields. `{{` and `}}` write
 * literal braces.
 */
export const promptTemplateSchema = z.strictObject({
  /** Short name, for logs and template.json. */
  name: z.string().min(1).default('custom'),
  /** Prefix the model is conditioned on, e.g. `Input: {simple}\nOutput:`. May be empty (pre-training). */
  prompt: z.string(),
  /** What the model learns to write after the prompt, e.g. ` {beautiful}`. */
  completion: z.string().min(1),
  /** Append the tokenizer's end-of-sequence token to the completion, so generation learns to stop. Default true. */
  appendEos: z.boolean().default(true),
});

/** A resolved prompt/completion template. */
export type PromptTemplate = z.output<typeof promptTemplateSchema>;

/** A template as given: every defaulted field optional. */
export type PromptTemplateInput = z.input<typeof promptTemplateSchema>;

/**
 * The templates built in, by name:
 * - `diffchat`: an InstructPE record (`source`, `instruction` -> `target`): source prompt and instruction as the
 *   prefix, the edited prompt as the completion;
 * - `beautiful-prompt`: a prompt pair (`simple` -> `beautiful`) in BeautifulPrompt's instruction format;
 * - `text`: a bare `text` field, every token learned (pre-training on a prompt corpus).
 */
export const BUILT_IN_TEMPLATES = {
  diffchat: {
    name: 'diffchat',
    prompt: 'Prompt: {source}\nInstruction: {instruction}\nNew prompt:',
    completion: ' {target}',
    appendEos: true,
  },
  'beautiful-prompt': {
    name: 'beautiful-prompt',
    prompt:
      'Instruction: Give a simple description of the image to generate a drawing prompt.\nInput: {simple}\nOutput:',
    completion: ' {beautiful}',
    appendEos: true,
  },
  text: { name: 'text', prompt: '', completion: '{text}', appendEos: true },
} as const satisfies Record<string, PromptTemplate>;

/** Name of a built-in template. */
export type BuiltInTemplateName = keyof typeof BUILT_IN_TEMPLATES;

/** File a template is stored in, inside a model or adapter folder, so generation renders prompts the same way. */
export const TEMPLATE_FILE = 'template.json';

const fieldPattern = /\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}|[{}]/g;

/** The field names a template string uses, in order of first use. */
export function templateFields(text: string): string[] {
  const fields: string[] = [];
  for (const match of text.matchAll(fieldPattern)) {
    if (match[1] !== undefined && !fields.includes(match[1])) fields.push(match[1]);
  }
  return fields;
}

function checkSyntax(text: string, where: string): void {
  for (const match of text.matchAll(fieldPattern)) {
    if (match[0] === '{' || match[0] === '}') {
      throw new ConfigError(
        `${where}: unmatched "${match[0]}" at character ${match.index}; write {{ or }} for a literal brace`,
      );
    }
  }
}

/** A built-in template by name, or a given one validated (and its brace syntax checked). */
export function resolveTemplate(
  template: BuiltInTemplateName | PromptTemplateInput,
  source = 'template',
): PromptTemplate {
  if (typeof template === 'string') {
    const builtIn = (BUILT_IN_TEMPLATES as Record<string, PromptTemplate>)[template];
    if (builtIn === undefined) {
      throw new ConfigError(
        `${source}: unknown template "${template}"; built in: ${Object.keys(BUILT_IN_TEMPLATES).join(', ')}`,
      );
    }
    return { ...builtIn };
  }
  const resolved = validate(promptTemplateSchema, template, source);
  checkSyntax(resolved.prompt, `${source}.prompt`);
  checkSyntax(resolved.completion, `${source}.completion`);
  return resolved;
}

/** The fields a record must have for a template: those of its prompt and completion. */
export function requiredFields(template: PromptTemplate): string[] {
  return [...new Set([...templateFields(template.prompt), ...templateFields(template.completion)])];
}

function fill(text: string, record: Readonly<Record<string, unknown>>, where: string): string {
  return text.replace(fieldPattern, (match, field: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    const value = field === undefined ? undefined : record[field];
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new ConfigError(
        `${where}: field "${field}" is ${value === undefined ? 'missing' : `a ${typeof value}, not a string`}`,
      );
    }
    return String(value);
  });
}

/** The prompt text of a record (what generation is given). `where` names the record in errors (`file:line`). */
export function renderPrompt(template: PromptTemplate, record: Readonly<Record<string, unknown>>, where = 'record') {
  return fill(template.prompt, record, where);
}

/** The prompt and completion texts of a record. */
export function renderExample(
  template: PromptTemplate,
  record: Readonly<Record<string, unknown>>,
  where = 'record',
): { prompt: string; completion: string } {
  return { prompt: fill(template.prompt, record, where), completion: fill(template.completion, record, where) };
}

/** The JSON text of template.json. */
export function serializeTemplate(template: PromptTemplate): string {
  return `${JSON.stringify(template, null, 2)}\n`;
}

/** Reads `template.json` from a model or adapter folder; undefined when the folder has none. */
export async function loadTemplate(directory: string): Promise<PromptTemplate | undefined> {
  const path = join(directory, TEMPLATE_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return resolveTemplate(value as PromptTemplateInput, path);
}
