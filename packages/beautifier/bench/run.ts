// Beautify throughput of the default architecture (random weights, so every output runs to maxNewTokens):
// `pnpm --filter @diffchat/beautifier bench`. Last line: beautify_prompts_s=<n> batched_speedup=<n>
import { createModel, createTokenizer, trainBpeTokenizer } from '@diffchat/lm';
import { beautify, DEFAULT_BEAUTIFIER_MODEL_CONFIG, generateDefaultPairs, heldOutPrompts } from '../src/index';

const pairs = generateDefaultPairs({ count: 500, seed: 0 });
const tokenizer = createTokenizer(
  trainBpeTokenizer(
    pairs.map((pair) => `${pair.simple}\n${pair.beautiful}`),
    { vocabSize: 1024 },
  ),
);
const model = createModel(
  { ...DEFAULT_BEAUTIFIER_MODEL_CONFIG, vocab_size: tokenizer.vocabSize, eos_token_id: 0, bos_token_id: 0 },
  { seed: 0, tokenizer },
);
const prompts = heldOutPrompts(64);
const options = { model, maxNewTokens: 48 } as const;
await beautify(prompts.slice(0, 4), options);

async function rate(batchSize: number, count: number): Promise<{ promptsPerSecond: number; cpuPerPrompt: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await beautify(prompts.slice(0, count), { ...options, batchSize });
  const used = process.cpuUsage(cpu);
  return {
    promptsPerSecond: count / ((performance.now() - started) / 1000),
    cpuPerPrompt: (used.user + used.system) / 1e3 / count,
  };
}
const single = await rate(1, 16);
const batched = await rate(32, 64);
console.log(
  `batch 1: ${single.promptsPerSecond.toFixed(2)} prompts/s, ${single.cpuPerPrompt.toFixed(0)} ms CPU/prompt`,
);
console.log(
  `batch 32: ${batched.promptsPerSecond.toFixed(2)} prompts/s, ${batched.cpuPerPrompt.toFixed(0)} ms CPU/prompt`,
);
console.log('(48 new tokens per prompt; wall-clock figures are noisy on a shared machine)');
await model.dispose();
console.log(
  `beautify_prompts_s=${batched.promptsPerSecond.toFixed(2)} batched_speedup=${(batched.promptsPerSecond / single.promptsPerSecond).toFixed(2)}`,
);
