// SFT throughput: forward + backward + AdamW per step, on the autodiff benchmark's reference decoder as a GPT-2
// model (full fine-tuning and LoRA), then LoRA on a random BLOOM-560m-sized model whose 2.2 GB of frozen weights
// go to ONNX external data. Run: pnpm --filter @diffchat/sft bench (SFT_BENCH_SKIP_LARGE=1 skips the 560m line).
import {
  AdamW,
  benchmarkDecoderConfig,
  decayMatricesOnly,
  GradientAccumulator,
  ParameterStore,
} from '@diffchat/autodiff';
import { type CausalLM, createModel } from '@diffchat/lm';
import { buildSftGraph, findLoraTargets, IGNORE_INDEX, initialLoraWeights, padRows, SftStep } from '../src/index';

interface Measured {
  tokensPerSecond: number;
  secondsPerStep: number;
}

function randomRows(batch: number, length: number, vocabulary: number, seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state;
  };
  return Array.from({ length: batch }, () => {
    const ids = Array.from({ length }, () => next() % vocabulary);
    // A quarter of each row is prompt, masked out of the loss as in SFT.
    const labels = ids.map((id, position) => (position < length / 4 ? IGNORE_INDEX : id));
    return { ids, labels };
  });
}

async function measure(
  model: CausalLM,
  lora: boolean,
  batch: number,
  length: number,
  steps: number,
): Promise<Measured> {
  const targets = lora ? findLoraTargets(model.config.model_type, model.weights) : [];
  const initial = lora ? initialLoraWeights(targets, 8, 0) : model.weights;
  const store = new ParameterStore();
  for (const [name, tensor] of initial) store.add(name, tensor.shape, tensor.data);
  const graph = buildSftGraph(model, lora ? { targets, rank: 8, alpha: 16 } : undefined);
  const runner = await SftStep.create(graph, new Map([...store].map((parameter) => [parameter.name, parameter.shape])));
  const parameters = new Map([...store].map((parameter) => [parameter.name, parameter.data]));
  const optimizer = new AdamW({ weightDecay: 0.01, decay: decayMatricesOnly });
  const accumulator = new GradientAccumulator();
  const padded = padRows(randomRows(batch, length, model.dimensions.vocabSize, 7), 0);
  const step = async () => {
    accumulator.reset();
    const result = await runner.run(padded, parameters);
    accumulator.add(result.gradients, result.tokens);
    optimizer.step(store, accumulator.average(), 1e-4);
  };
  await step(); // warm-up: ONNX Runtime allocates and plans on the first run
  const started = performance.now();
  for (let index = 0; index < steps; index++) await step();
  const seconds = (performance.now() - started) / 1000;
  await runner.dispose();
  return { tokensPerSecond: (steps * batch * length) / seconds, secondsPerStep: seconds / steps };
}

const reference = benchmarkDecoderConfig;
const gpt2 = createModel({
  model_type: 'gpt2',
  n_layer: reference.layers,
  n_embd: reference.modelWidth,
  n_head: reference.heads,
  n_positions: reference.context,
  vocab_size: reference.vocabulary,
});
const batch = 8;
const length = reference.context;
console.log(
  `reference decoder: ${reference.layers} layers, width ${reference.modelWidth}, ${reference.heads} heads, vocabulary ${reference.vocabulary}; batch ${batch} x ${length} tokens`,
);
const full = await measure(gpt2, false, batch, length, 10);
console.log(
  `full fine-tuning: ${full.tokensPerSecond.toFixed(0)} tokens/s (${(full.secondsPerStep * 1000).toFixed(0)} ms/step)`,
);
const adapted = await measure(gpt2, true, batch, length, 10);
console.log(
  `LoRA r=8 (attention + MLP): ${adapted.tokensPerSecond.toFixed(0)} tokens/s (${(adapted.secondsPerStep * 1000).toFixed(0)} ms/step)`,
);

if (!process.env.SFT_BENCH_SKIP_LARGE) {
  const started = performance.now();
  const bloom = createModel({ model_type: 'bloom', hidden_size: 1024, n_layer: 24, n_head: 16, vocab_size: 250880 });
  const parameters = [...bloom.weights.values()].reduce((sum, tensor) => sum + tensor.data.length, 0);
  console.log(
    `BLOOM-560m-sized random model: ${(parameters / 1e6).toFixed(0)}M parameters, built in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  const large = await measure(bloom, true, 1, 64, 2);
  console.log(
    `LoRA r=8 on it, batch 1 x 64 tokens: ${large.tokensPerSecond.toFixed(1)} tokens/s (${large.secondsPerStep.toFixed(1)} s/step)`,
  );
}
const peak = process.resourceUsage().maxRSS / 1024;
console.log(
  `sft_tok_s=${full.tokensPerSecond.toFixed(0)} lora_tok_s=${adapted.tokensPerSecond.toFixed(0)} peak_rss_mb=${peak.toFixed(0)}`,
);
