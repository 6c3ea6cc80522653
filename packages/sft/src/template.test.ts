import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ValidationError } from '@diffchat/core';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  loadTemplate,
  renderExample,
  renderPrompt,
  requiredFields,
  resolveTemplate,
  serializeTemplate,
  TEMPLATE_FILE,
  templateFields,
} from './template';

const root = await mkdtemp(join(tmpdir(), 'sft-template-'));
afterAll(() => rm(root, { recursive: true, force: true }));

describe('templates', () => {
  it('renders the built-in DiffChat and BeautifulPrompt templates', () => {
    const diffchat = resolveTemplate('diffchat');
    expect(requiredFields(diffchat)).toEqual(['source', 'instruction', 'target']);
    expect(
      renderExample(diffchat, { source: 'a cat', instruction: 'make it night', target: 'a cat at night' }),
    ).toEqual({ prompt: 'Prompt: a cat\nInstruction: make it night\nNew prompt:', completion: ' a cat at night' });
    const beautiful = resolveTemplate('beautiful-prompt');
    expect(renderPrompt(beautiful, { simple: 'a dog' })).toBe(
      'Instruction: Give a simple description of the image to generate a drawing prompt.\nInput: a dog\nOutput:',
    );
  });

  it('writes literal braces from {{ and }} and rejects a lone brace', () => {
    const template = resolveTemplate({ prompt: '{{x}} {a}', completion: '{b}}}' });
    expect(templateFields(template.prompt)).toEqual(['a']);
    expect(renderExample(template, { a: '1', b: 2 })).toEqual({ prompt: '{x} 1', completion: '2}' });
    expect(() => resolveTemplate({ prompt: 'a {b', completion: 'c' })).toThrow(/template.prompt: unmatched "\{"/);
  });

  it('names the missing field and the record', () => {
    expect(() => renderExample(resolveTemplate('diffchat'), { source: 'a' }, 'pairs.jsonl:3')).toThrow(
      /pairs\.jsonl:3: field "instruction" is missing/,
    );
    expect(() => resolveTemplate('nope' as never)).toThrow(ConfigError);
    expect(() => resolveTemplate({ prompt: 'x', completion: 'y', extra: 1 } as never)).toThrow(ValidationError);
  });

  it('round-trips through template.json', async () => {
    const template = resolveTemplate({ name: 'mine', prompt: 'Q: {q}\nA:', completion: ' {a}', appendEos: false });
    await writeFile(join(root, TEMPLATE_FILE), serializeTemplate(template));
    expect(await loadTemplate(root)).toEqual(template);
    expect(await loadTemplate(join(root, 'missing'))).toBeUndefined();
  });

  it('a corrupt template.json gives a named error, never a crash', async () => {
    const folder = join(root, 'fuzz');
    await rm(folder, { recursive: true, force: true });
    await import('node:fs/promises').then(({ mkdir }) => mkdir(folder));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.jsonValue().map((value) => new TextEncoder().encode(JSON.stringify(value))),
          fc.constant(new TextEncoder().encode(serializeTemplate(resolveTemplate('diffchat')).slice(0, 40))),
        ),
        async (bytes) => {
          await writeFile(join(folder, TEMPLATE_FILE), bytes);
          try {
            await loadTemplate(folder);
          } catch (error) {
            expect(error instanceof ConfigError || error instanceof ValidationError).toBe(true);
            expect((error as Error).message).toContain(TEMPLATE_FILE);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
