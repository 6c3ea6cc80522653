import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlError } from '@diffchat/core';
import { CausalLM } from '@diffchat/lm';
import { createTinyModel } from '@diffchat/lm/testing';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRecords, tokenizeRecords } from './sft-data';
import { resolveTemplate } from './template';
import { exportTrlDataset } from './trl-export';

const root = await mkdtemp(join(tmpdir(), 'sft-data-'));
afterAll(() => rm(root, { recursive: true, force: true }));

const records = [
  { id: '1', source: 'a cat', instruction: 'make it night', target: 'a cat at night', meta: {} },
  { id: '2', source: 'a dog', instruction: 'add a hat', target: 'a dog wearing a hat', meta: {} },
];

describe('data', () => {
  it('reads JSONL records and names file:line and field when one lacks a template field', async () => {
    const path = join(root, 'bad.jsonl');
    await writeFile(path, `${JSON.stringify(records[0])}\n{"source": "x", "target": "y"}\n`);
    await expect(loadRecords(path, resolveTemplate('diffchat'))).rejects.toThrow(/bad\.jsonl:2: .*instruction/);
    await expect(loadRecords([{ simple: 'x' }], resolveTemplate('beautiful-prompt'))).rejects.toThrow(
      /data\[0\]: field "beautiful"/,
    );
  });

  it('fuzzed JSONL input ends in records or a JsonlError, never a crash', async () => {
    const path = join(root, 'fuzz.jsonl');
    const template = resolveTemplate('beautiful-prompt');
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        await writeFile(path, bytes);
        try {
          const loaded = await loadRecords(path, template);
          for (const record of loaded) expect(['string', 'number']).toContain(typeof record.simple);
        } catch (error) {
          expect(error).toBeInstanceOf(JsonlError);
        }
      }),
      { numRuns: 80 },
    );
  });

  it('tokenises prompt and completion apart, appends eos and truncates the completion', () => {
    const directory = createTinyModel();
    const model = new CausalLM({ ...directory, tokenizer: directory.tokenizer });
    const tokenizer = model.tokenizer!;
    const template = resolveTemplate({ prompt: 'Input: {simple}\nOutput:', completion: ' {beautiful}' });
    const record = { simple: 'a cat', beautiful: 'a cat, oil painting' };
    const prompt = tokenizer.encode('Input: a cat\nOutput:');
    const completion = tokenizer.encode(' a cat, oil painting', { addSpecialTokens: false });
    const { examples } = tokenizeRecords([record], template, tokenizer, { eos: 0, pad: 1 }, 64, 'completion');
    expect(examples[0]).toEqual({ ids: [...prompt, ...completion, 0], promptLength: prompt.length });
    const short = tokenizeRecords([record], template, tokenizer, { eos: 0, pad: 1 }, prompt.length + 2, 'completion');
    expect(short).toMatchObject({ truncated: 1, dropped: 0 });
    expect(short.examples[0]!.ids).toHaveLength(prompt.length + 2);
    expect(
      tokenizeRecords([record], template, tokenizer, { eos: 0, pad: 1 }, prompt.length, 'completion').dropped,
    ).toBe(1);
  });
});

describe('exportTrlDataset', () => {
  it('writes TRL prompt/completion lines rendered with the training template', async () => {
    const input = join(root, 'instructpe.jsonl');
    await writeFile(input, `${records.map((record) => JSON.stringify(record)).join('\n')}\n`);
    const output = join(root, 'trl.jsonl');
    expect(await exportTrlDataset({ data: input, template: 'diffchat', output })).toBe(2);
    const lines = (await readFile(output, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      { prompt: 'Prompt: a cat\nInstruction: make it night\nNew prompt:', completion: ' a cat at night' },
      { prompt: 'Prompt: a dog\nInstruction: add a hat\nNew prompt:', completion: ' a dog wearing a hat' },
    ]);
    await expect(exportTrlDataset({ data: input, output })).rejects.toThrow();
    expect(await exportTrlDataset({ data: records, output, mode: 'overwrite' })).toBe(2);
  });
});
