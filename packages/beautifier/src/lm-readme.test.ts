import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runReadmeExample } from '../../../readme-example';

const folder = mkdtempSync(join(tmpdir(), 'lm-readme-trained-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("@diffchat/lm README's trained-model route (it uses this package, so it runs here)", () => {
  it('trains the toy beautifier into a folder that loadModel reads', async () => {
    const { printed, expected } = await runReadmeExample(join(__dirname, '..'), '@diffchat/beautifier', {
      readme: join(__dirname, '..', '..', 'lm', 'README.md'),
      section: 'A trained model',
      cwd: folder,
    });
    // model_type and vocab_size are the ones asked of trainBeautifier (GPT-2, a 512-token BPE).
    expect(expected).toEqual(['gpt2 512', 'string']);
    expect(printed).toEqual(expected);
    expect(existsSync(join(folder, 'models', 'toy-beautifier', 'model.safetensors'))).toBe(true);
    expect(existsSync(join(folder, 'models', 'toy-beautifier.runs', 'sft'))).toBe(true);
  });
});
