import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeHub, saveTinyModel, startFakeHub } from '@diffchat/lm/testing';
import { BUILT_IN_TEMPLATES } from '@diffchat/sft';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beautifierTemplate, loadBeautifier } from './beautifier-model';
import { beautify } from './beautify';

const repository = 'alibaba-pai/pai-bloom-1b1-text2prompt-sd';
let root: string;
let hub: FakeHub;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'beautifier-model-'));
  // A BLOOM model folder in the released checkpoint's layout (config, tokenizer, safetensors; no template.json).
  const folder = join(root, 'bloom');
  await saveTinyModel(folder, { modelType: 'bloom', seed: 2 });
  const files: Record<string, Uint8Array> = {};
  for (const name of await readdir(folder)) files[name] = await readFile(join(folder, name));
  hub = await startFakeHub({ [repository]: { revisions: { main: files } } });
});

afterAll(async () => {
  await hub.close();
  await rm(root, { recursive: true, force: true });
});

describe('loadBeautifier', () => {
  it("loads a BLOOM checkpoint from the hub with BeautifulPrompt's template and beautifies with it", async () => {
    const beautifier = await loadBeautifier(repository, { hubUrl: hub.url, cacheDir: join(root, 'cache'), env: {} });
    expect(beautifier.model.config.model_type).toBe('bloom');
    expect(beautifier.template).toEqual(BUILT_IN_TEMPLATES['beautiful-prompt']);
    const [result] = await beautify(['a cat on a mat'], { model: beautifier, maxNewTokens: 4 });
    expect(result!.simple).toBe('a cat on a mat');
    expect(result!.candidates[0]!.tokenIds.length).toBeGreaterThan(0);
    expect(result!.candidates[0]!.tokenIds.length).toBeLessThanOrEqual(4);
    expect(result!.logProb).toBeLessThan(0);
    await beautifier.model.dispose();
  });
});

describe('beautifierTemplate', () => {
  it('accepts templates with {simple} in the prompt and {beautiful} in the completion only', () => {
    const custom = { prompt: 'Rewrite: {simple}\n=>', completion: ' {beautiful}' };
    expect(beautifierTemplate(custom)).toEqual({ name: 'custom', appendEos: true, ...custom });
    expect(() => beautifierTemplate({ prompt: '{source}', completion: '{beautiful}' })).toThrow(
      "template.prompt: a beautifier's prompt must use the field {simple} and no other, got {source}",
    );
    expect(() => beautifierTemplate({ prompt: '{simple}', completion: '{target}' })).toThrow(/template.completion/);
    expect(() => beautifierTemplate('nope' as never)).toThrow(/unknown template "nope"/);
  });
});
