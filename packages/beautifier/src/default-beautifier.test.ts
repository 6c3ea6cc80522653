import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiffchatError } from '@diffchat/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECIPE_FILE, readRecipe, trainDefaultBeautifier } from './default-beautifier';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'beautifier-recipe-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('readRecipe', () => {
  it('reads a recipe written before curation and the open vocabulary, filling in what those folders used', async () => {
    await writeFile(join(root, RECIPE_FILE), JSON.stringify({ seed: 3, pairs: 10, heldOutSeed: 4 }));
    expect(await readRecipe(root)).toEqual({
      seed: 3,
      pairs: 10,
      heldOutSeed: 4,
      candidates: 1,
      vocabulary: 'curated',
      layout: 'varied',
    });
  });

  it('names the file and field of a bad recipe', async () => {
    await expect(readRecipe(join(root, 'missing'))).rejects.toThrow(
      `${join(root, 'missing', RECIPE_FILE)}: cannot read`,
    );
    await writeFile(join(root, RECIPE_FILE), JSON.stringify({ seed: 3, pairs: 0, heldOutSeed: 4 }));
    await expect(readRecipe(root)).rejects.toThrow(new RegExp(`${RECIPE_FILE}: field "pairs"`));
  });

  it('throws only its documented errors on arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.jsonValue().map((value) => new TextEncoder().encode(JSON.stringify(value) ?? '')),
        ),
        async (bytes) => {
          await writeFile(join(root, RECIPE_FILE), bytes);
          await readRecipe(root).then(
            (recipe) => expect(Number.isInteger(recipe.pairs)).toBe(true),
            (error) => expect(error).toBeInstanceOf(DiffchatError),
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('trainDefaultBeautifier', () => {
  it('refuses a held-out seed equal to the training seed', async () => {
    await expect(
      trainDefaultBeautifier({ out: join(root, 'never'), recipe: { seed: 2, heldOutSeed: 2 } }),
    ).rejects.toThrow(/heldOutSeed must differ/);
  });
});
