import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlError, ValidationError } from '@diffchat/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPromptPairs, loadPromptPairs, readPromptPairs } from './prompt-pairs';

let root: string;
let counter = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'beautifier-pairs-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function file(text: string | Uint8Array): Promise<string> {
  const path = join(root, `pairs-${counter++}.jsonl`);
  await writeFile(path, text);
  return path;
}

const released = [
  { raw_prompt: 'a cat', prompt: 'a fluffy cat, oil painting, 8k', pick_score: 19.2, aesthetic_score: 6.1, id: 7 },
  { raw_prompt: 'a castle', prompt: 'a castle at dusk, matte painting', pick_score: 17.9 },
  { raw_prompt: 'a ship', prompt: 'a ship in a storm, dramatic lighting' },
];

describe('readPromptPairs', () => {
  it("imports BeautifulPrompt's released lines as pairs, dropping unknown columns", async () => {
    const path = await file(`${released.map((line) => JSON.stringify(line)).join('\n')}\n`);
    const expected = [
      { simple: 'a cat', beautiful: 'a fluffy cat, oil painting, 8k', pickScore: 19.2, aestheticScore: 6.1 },
      { simple: 'a castle', beautiful: 'a castle at dusk, matte painting', pickScore: 17.9 },
      { simple: 'a ship', beautiful: 'a ship in a storm, dramatic lighting' },
    ];
    expect(await readPromptPairs(path, { format: 'beautiful-prompt' })).toEqual(expected);
    expect(await readPromptPairs(path)).toEqual(expected);
    // BeautifulPrompt's own filter: pick_score >= 18.5 (a pair without a score is kept).
    expect(await readPromptPairs(path, { minPickScore: 18.5 })).toEqual([expected[0], expected[2]]);
  });

  it('reads both formats mixed in one file when format is auto', async () => {
    const path = await file(
      [JSON.stringify({ simple: 'a dog', beautiful: 'a dog, watercolour' }), '', JSON.stringify(released[2])].join(
        '\r\n',
      ),
    );
    expect(await readPromptPairs(path)).toEqual([
      { simple: 'a dog', beautiful: 'a dog, watercolour' },
      { simple: 'a ship', beautiful: 'a ship in a storm, dramatic lighting' },
    ]);
  });

  it('names the file, line and field of a bad line', async () => {
    const good = JSON.stringify({ simple: 'a dog', beautiful: 'a dog, watercolour' });
    const missing = await file(`${good}\n${good}\n{"simple": "a cat"}\n`);
    await expect(readPromptPairs(missing)).rejects.toThrow(`${missing}:3: field "beautiful": missing`);
    const wrongType = await file(`${good}\n{"raw_prompt": "a cat", "prompt": 3}\n`);
    await expect(readPromptPairs(wrongType)).rejects.toThrow(new RegExp(`${wrongType}:2: field "prompt"`));
    const unknownKey = await file(`{"simple": "a", "beautiful": "b", "beautifull": "c"}\n`);
    await expect(readPromptPairs(unknownKey, { format: 'pairs' })).rejects.toThrow(/:1: .*beautifull/);
    const blank = await file(`{"simple": "  ", "beautiful": "b"}\n`);
    await expect(readPromptPairs(blank)).rejects.toThrow(/:1: field "simple": must not be empty/);
    const notJson = await file(`${good}\n{"simple": \n`);
    await expect(readPromptPairs(notJson)).rejects.toThrow(/:2: invalid JSON/);
  });

  it('rejects an unknown format by name', async () => {
    const path = await file('');
    await expect(readPromptPairs(path, { format: 'csv' as never })).rejects.toThrow(/format must be one of/);
  });

  it('either reads pairs or throws a JsonlError on arbitrary bytes, truncations and wrong types', async () => {
    const valid = `${released.map((line) => JSON.stringify(line)).join('\n')}\n`;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.nat({ max: valid.length }).map((end) => new TextEncoder().encode(valid.slice(0, end))),
          fc
            .array(fc.dictionary(fc.constantFrom('simple', 'beautiful', 'raw_prompt', 'prompt'), fc.jsonValue()), {
              maxLength: 4,
            })
            .map((lines) => new TextEncoder().encode(lines.map((line) => JSON.stringify(line)).join('\n'))),
        ),
        async (bytes) => {
          const path = await file(bytes);
          try {
            const pairs = await readPromptPairs(path);
            for (const pair of pairs) {
              expect(typeof pair.simple).toBe('string');
              expect(typeof pair.beautiful).toBe('string');
            }
          } catch (error) {
            expect(error).toBeInstanceOf(JsonlError);
            expect((error as JsonlError).message.startsWith(`${path}:`)).toBe(true);
          }
          await rm(path);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('checkPromptPairs', () => {
  it('returns valid pairs and names the index and field of a bad one', async () => {
    const pairs = [{ simple: 'a', beautiful: 'b' }];
    expect(checkPromptPairs(pairs)).toEqual(pairs);
    expect(() => checkPromptPairs([...pairs, { simple: 'a', beautiful: 4 }])).toThrow(
      'data[1]: field "beautiful": expected string, received number',
    );
    expect(() => checkPromptPairs([null])).toThrow(ValidationError);
    expect(() => checkPromptPairs('x' as never)).toThrow(/expected an array/);
    await expect(
      loadPromptPairs([{ simple: 'a', beautiful: 'b', pickScore: 3 }], { minPickScore: 5 }),
    ).resolves.toEqual([]);
  });
});
