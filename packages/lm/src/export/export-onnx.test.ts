import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoModelForCausalLM, env, Tensor } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { trainBpeTokenizer } from '../bpe-trainer';
import { createModel } from '../models/causal-lm';
import { exportOnnx } from './export-onnx';

const tokenizer = trainBpeTokenizer(
  ['a cat on a mat, oil painting', 'a castle at night, digital art', 'make it night; add a cat'],
  { vocabSize: 300, minFrequency: 1 },
);
const common = { vocab_size: 300, bos_token_id: 0, eos_token_id: 0, initializer_range: 0.4 };
const configs = {
  gpt2: { model_type: 'gpt2', n_embd: 32, n_layer: 2, n_head: 4, n_positions: 64, ...common },
  bloom: { model_type: 'bloom', hidden_size: 32, n_layer: 2, n_head: 4, ...common },
};
const root = await mkdtemp(join(tmpdir(), 'lm-export-'));
afterAll(() => rm(root, { recursive: true, force: true }));

describe('exportOnnx', () => {
  for (const [modelType, config] of Object.entries(configs)) {
    it(`writes a ${modelType} directory that transformers.js loads offline and continues greedily like generate`, async () => {
      const model = createModel(config, { seed: 5, tokenizer });
      const directory = join(root, `tiny-${modelType}`);
      await exportOnnx(model, directory);
      expect((await readdir(directory)).sort()).toEqual(
        ['config.json', 'model.safetensors', 'onnx', 'tokenizer.json', 'tokenizer_config.json'].sort(),
      );

      // The ecosystem's decoder names and symbolic cache dimensions.
      const session = await ort.InferenceSession.create(join(directory, 'onnx', 'model.onnx'));
      const expectedInputs = ['input_ids', 'attention_mask', ...(modelType === 'gpt2' ? ['position_ids'] : [])];
      for (let layer = 0; layer < 2; layer++) {
        expectedInputs.push(`past_key_values.${layer}.key`, `past_key_values.${layer}.value`);
      }
      expect([...session.inputNames].sort()).toEqual(expectedInputs.sort());
      expect([...session.outputNames].sort()).toEqual(
        ['logits', 'present.0.key', 'present.0.value', 'present.1.key', 'present.1.value'].sort(),
      );
      await session.release();

      env.allowRemoteModels = false;
      env.localModelPath = root;
      const reference = await AutoModelForCausalLM.from_pretrained(`tiny-${modelType}`, { dtype: 'fp32' });
      const prompt = model.tokenizer!.encode('a cat at night');
      const continuation = (await reference.generate({
        input_ids: new Tensor('int64', BigInt64Array.from(prompt, BigInt), [1, prompt.length]),
        attention_mask: new Tensor('int64', new BigInt64Array(prompt.length).fill(1n), [1, prompt.length]),
        max_new_tokens: 10,
        do_sample: false,
      })) as Tensor;
      const theirs = Array.from(continuation.data as BigInt64Array, Number).slice(prompt.length);
      const [ours] = await model.generate([prompt], { maxNewTokens: 10, eosTokenId: [] });
      expect(new Set(theirs).size).toBeGreaterThan(1);
      expect(ours!.tokenIds.slice(0, theirs.length)).toEqual(theirs);
      await reference.dispose();
      await model.dispose();
    });
  }
});
