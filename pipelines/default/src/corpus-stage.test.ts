import { mkdtemp, readFile, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonlAll, tripletSchema } from '@diffchat/core';
import { parsePrompt } from '@diffchat/world';
import { describe, expect, it } from 'vitest';
import { CORPUS_FILES, runCorpusStage } from './corpus-stage';

const options = { seed: 7, promptPairs: 40, triplets: 30, silent: true };

describe('corpus stage', () => {
  it('writes the requested number of valid records, the same bytes for the same seed', async () => {
    const first = await mkdtemp(join(tmpdir(), 'corpus-'));
    const second = await mkdtemp(join(tmpdir(), 'corpus-'));
    await runCorpusStage({ directory: first, ...options });
    await runCorpusStage({ directory: second, ...options });
    for (const file of Object.values(CORPUS_FILES)) {
      expect(await readFile(join(first, file), 'utf8')).toBe(await readFile(join(second, file), 'utf8'));
    }
    const { records } = await readJsonlAll(join(first, CORPUS_FILES.triplets), tripletSchema);
    expect(records).toHaveLength(30);
    // Every triplet's prompts belong to the prompt world: the renderer knows every word of them.
    for (const record of records) expect(parsePrompt(record.output).unknownWords).toEqual([]);
  });

  it('resumes a torn file to exactly the bytes of an uninterrupted run', async () => {
    const straight = await mkdtemp(join(tmpdir(), 'corpus-'));
    const interrupted = await mkdtemp(join(tmpdir(), 'corpus-'));
    await runCorpusStage({ directory: straight, ...options });
    await runCorpusStage({ directory: interrupted, ...options });
    const path = join(interrupted, CORPUS_FILES.promptPairs);
    const bytes = (await readFile(path)).length;
    await truncate(path, Math.floor(bytes * 0.37));
    await runCorpusStage({ directory: interrupted, ...options });
    expect(await readFile(path, 'utf8')).toBe(await readFile(join(straight, CORPUS_FILES.promptPairs), 'utf8'));
  });
});
