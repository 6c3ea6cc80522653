import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tinyClipTokenizer } from '../test/tiny-stable-diffusion';
import { loadClipTokenizer, ModelFolderError } from './clip-tokenizer';

async function tokenizerFolder(tokenizer: string, config?: string): Promise<string> {
  const folder = join(await mkdtemp(join(tmpdir(), 'clip-')), 'tokenizer');
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'tokenizer.json'), tokenizer);
  if (config !== undefined) await writeFile(join(folder, 'tokenizer_config.json'), config);
  return folder;
}

describe('loadClipTokenizer', () => {
  const tiny = tinyClipTokenizer();
  const vocab = (tiny.tokenizer as { model: { vocab: Record<string, number> } }).model.vocab;

  it('adds start and end tokens, pads with the pad token and keeps 77 ids', async () => {
    const tokenizer = await loadClipTokenizer(
      await tokenizerFolder(JSON.stringify(tiny.tokenizer), JSON.stringify(tiny.config)),
    );
    const ids = tokenizer.encode('A red FOX');
    expect(ids).toHaveLength(77);
    expect(ids.slice(0, 5)).toEqual([0, vocab['a</w>'], vocab['red</w>'], vocab['fox</w>'], 1]);
    expect(ids.slice(5).every((id) => id === 1)).toBe(true);
  });

  it('cuts long prompts to the row length and keeps the end token', async () => {
    const tokenizer = await loadClipTokenizer(await tokenizerFolder(JSON.stringify(tiny.tokenizer)), 8);
    const ids = tokenizer.encode('a red fox in a blue sky at night');
    expect(ids).toEqual([
      0,
      vocab['a</w>'],
      vocab['red</w>'],
      vocab['fox</w>'],
      vocab['in</w>'],
      vocab['a</w>'],
      vocab['blue</w>'],
      1,
    ]);
  });

  it('pads with the configured pad token (SD 2.x pads with "!")', async () => {
    const config = { ...tiny.config, pad_token: { content: 'x', special: false }, model_max_length: 6 };
    const tokenizer = await loadClipTokenizer(
      await tokenizerFolder(JSON.stringify(tiny.tokenizer), JSON.stringify(config)),
    );
    expect(tokenizer.encode('sky')).toEqual([0, vocab['sky</w>'], 1, vocab.x, vocab.x, vocab.x]);
  });

  it('fails with ModelFolderError naming the file on any malformed tokenizer', async () => {
    const missing = join(await mkdtemp(join(tmpdir(), 'clip-')), 'tokenizer');
    await expect(loadClipTokenizer(missing)).rejects.toThrow(`${join(missing, 'tokenizer.json')}: cannot read`);
    const text = JSON.stringify(tiny.tokenizer);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
          fc.nat(text.length - 1).map((cut) => text.slice(0, cut)),
          fc.jsonValue().map((value) => JSON.stringify(value)),
          fc.constant(JSON.stringify({ ...tiny.tokenizer, model: { type: 'BPE', vocab: 3 } })),
        ),
        async (broken) => {
          const folder = await tokenizerFolder(broken);
          await expect(loadClipTokenizer(folder)).rejects.toThrow(ModelFolderError);
          await expect(loadClipTokenizer(folder)).rejects.toThrow(join(folder, 'tokenizer.json'));
        },
      ),
      { numRuns: 60 },
    );
  });
});
