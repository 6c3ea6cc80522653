import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runReadmeExample } from '../../../readme-example';

const packageRoot = join(__dirname, '..');

// The examples write under os.tmpdir(); point it at a folder of this test, removed afterwards.
let folder = '';
let previousTemporary: string | undefined;
beforeEach(() => {
  previousTemporary = process.env.TMPDIR;
  folder = mkdtempSync(join(tmpdir(), 'lm-readme-'));
  process.env.TMPDIR = folder;
});
afterEach(() => {
  if (previousTemporary === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previousTemporary;
  rmSync(folder, { recursive: true, force: true });
});

/** The one folder the example made with mkdtemp, and what it holds. */
function exampleFolder(): string {
  const made = readdirSync(folder).filter((name) => name.startsWith('lm-'));
  expect(made).toHaveLength(1);
  return join(folder, made[0]!);
}

describe('README examples', () => {
  it('tokenizers and model directories: round trip, left padding, the GPT-2 tensors, a local folder resolved', async () => {
    const { logged } = await runReadmeExample(packageRoot, '@diffchat/lm', { section: 'Examples', block: 0 });
    expect(logged).toHaveLength(4);
    const [ids, decoded] = logged[0] as [number[], string];
    expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id < 300)).toBe(true);
    expect(decoded).toBe('a cat at night');

    // Left padding: both rows as long as the longer text, the shorter one's mask zeros first, then ones.
    const [inputIds, attentionMask] = logged[1] as [number[][], number[][]];
    expect(inputIds).toHaveLength(2);
    expect(inputIds[0]!.length).toBe(inputIds[1]!.length);
    expect(attentionMask[1]!.every((bit) => bit === 1)).toBe(true);
    const firstOne = attentionMask[0]!.indexOf(1);
    expect(firstOne).toBeGreaterThan(0);
    expect(attentionMask[0]!.slice(0, firstOne).every((bit) => bit === 0)).toBe(true);
    expect(attentionMask[0]!.slice(firstOne).every((bit) => bit === 1)).toBe(true);

    // Hugging Face's GPT-2 layout: wte, wpe, ln_f weight and bias, plus 12 tensors per layer.
    const directory = join(exampleFolder(), 'tiny-gpt2');
    const config = JSON.parse(readFileSync(join(directory, 'config.json'), 'utf8')) as { n_layer: number };
    expect(logged[2]).toEqual(['gpt2', 4 + 12 * config.n_layer, 'tensors']);
    expect(logged[3]).toEqual([directory]); // a local folder resolves to itself
  });

  it('models: greedy and sampled generation, save, load and ONNX export', async () => {
    const { logged } = await runReadmeExample(packageRoot, '@diffchat/lm', { section: 'Examples', block: 1 });
    expect(logged).toHaveLength(1);
    // Random weights: only the shape is fixed. Two greedy texts, then at most 12 sampled tokens with their
    // log-probabilities (finite, at most 0).
    const [greedyTexts, tokenIds, logProbs] = logged[0] as [string[], number[], number[]];
    expect(greedyTexts).toHaveLength(2);
    for (const text of greedyTexts) expect(typeof text).toBe('string');
    expect(tokenIds.length).toBeGreaterThan(0);
    expect(tokenIds.length).toBeLessThanOrEqual(12);
    expect(logProbs).toHaveLength(tokenIds.length);
    for (const logProb of logProbs) expect(logProb).toBeLessThanOrEqual(0);
    expect(tokenIds.every((id) => Number.isInteger(id) && id >= 0 && id < 300)).toBe(true);

    const made = exampleFolder();
    expect(existsSync(join(made, 'tiny', 'model.safetensors'))).toBe(true);
    expect(existsSync(join(made, 'tiny-onnx', 'onnx', 'model.onnx'))).toBe(true);
  });
});
