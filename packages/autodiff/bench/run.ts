// Trains the reference decoder (4 layers, width 256, 4 heads, context 128, vocabulary 4096, batch 16) on ONNX
// Runtime and reports tokens/s and model FLOPs utilisation against ONNX Runtime's own large-GEMM rate, the
// per-op time split of one step, and the same step in TensorFlow.js (WASM).
//   pnpm --filter @diffchat/autodiff bench
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdamW,
  addReferenceDecoderParameters,
  benchmarkDecoderConfig,
  buildReferenceDecoder,
  compileGraph,
  compileTrainingStep,
  Graph,
  matmul,
  ParameterStore,
  referenceDecoderTrainingFlops,
} from '../src/index';
import { startTfjsWasm, tfjsDecoderStep } from './tfjs-decoder';

const config = benchmarkDecoderConfig;
const batch = 16;
const sequence = config.context;
const warmupSteps = 3;
const timedSteps = Number(process.env.BENCH_STEPS ?? 10);
const tfjsSteps = Number(process.env.BENCH_TFJS_STEPS ?? 2);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function gemmPeak(): Promise<number> {
  const graph = new Graph('gemm-peak');
  const size = 1024;
  const a = graph.input('a', 'float32', [size, size]);
  const b = graph.input('b', 'float32', [size, size]);
  graph.output('c', matmul(a, b));
  const compiled = await compileGraph(graph);
  const feeds = {
    a: Float32Array.from({ length: size * size }, (_, index) => ((index * 7) % 13) / 13 - 0.5),
    b: Float32Array.from({ length: size * size }, (_, index) => ((index * 5) % 11) / 11 - 0.5),
  };
  for (let run = 0; run < 3; run++) await compiled.run(feeds);
  const times: number[] = [];
  for (let run = 0; run < 20; run++) {
    const start = performance.now();
    await compiled.run(feeds);
    times.push((performance.now() - start) / 1000);
  }
  return (2 * size ** 3) / median(times);
}

function toyBatch(): { tokens: BigInt64Array; targets: BigInt64Array } {
  const tokens = new BigInt64Array(batch * sequence);
  const targets = new BigInt64Array(batch * sequence);
  let state = 12345;
  for (let index = 0; index < tokens.length; index++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    tokens[index] = BigInt(state % config.vocabulary);
  }
  for (let index = 0; index < tokens.length; index++) {
    targets[index] = (index + 1) % sequence === 0 ? -100n : tokens[index + 1]!;
  }
  return { tokens, targets };
}

interface ProfileEvent {
  cat?: string;
  name?: string;
  dur?: number;
  args?: { op_name?: string };
}

async function profileSplit(store: ParameterStore, feeds: ReturnType<typeof toyBatch>): Promise<Map<string, number>> {
  const directory = await mkdtemp(join(tmpdir(), 'autodiff-profile-'));
  try {
    const model = buildReferenceDecoder(config, batch, sequence, 'profiled-decoder');
    const step = await compileTrainingStep(model.loss, store, {
      enableProfiling: true,
      profileFilePrefix: join(directory, 'step'),
    });
    for (let run = 0; run < 3; run++) await step.run(feeds);
    step.compiled.endProfiling();
    const file = (await readdir(directory)).find((name) => name.endsWith('.json'));
    const events = JSON.parse(await readFile(join(directory, file!), 'utf8')) as ProfileEvent[];
    const byOp = new Map<string, number>();
    for (const event of events) {
      if (event.cat !== 'Node' || !event.name?.endsWith('_kernel_time') || !event.args?.op_name) continue;
      byOp.set(event.args.op_name, (byOp.get(event.args.op_name) ?? 0) + (event.dur ?? 0) / 3);
    }
    await step.compiled.dispose();
    return byOp;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(
    `reference decoder: ${config.layers} layers, width ${config.modelWidth}, ${config.heads} heads, ` +
      `context ${config.context}, vocabulary ${config.vocabulary}, batch ${batch}`,
  );
  const peak = await gemmPeak();
  console.log(`GEMM peak (1024^3 MatMul, median of 20): ${(peak / 1e9).toFixed(1)} GFLOP/s`);

  const store = new ParameterStore({ seed: 0 });
  addReferenceDecoderParameters(store, config);
  console.log(`parameters: ${store.totalElements()}`);
  const model = buildReferenceDecoder(config, batch, sequence);
  const compileStart = performance.now();
  const step = await compileTrainingStep(model.loss, store);
  console.log(`compile: ${((performance.now() - compileStart) / 1000).toFixed(2)} s`);
  const optimizer = new AdamW({ beta2: 0.95, weightDecay: 0.1 });
  const feeds = toyBatch();
  for (let run = 0; run < warmupSteps; run++) {
    const result = await step.run(feeds);
    optimizer.step(store, result.gradients, 1e-3);
  }
  const stepTimes: number[] = [];
  const forwardBackwardTimes: number[] = [];
  let firstLoss = 0;
  let lastLoss = 0;
  for (let run = 0; run < timedSteps; run++) {
    const start = performance.now();
    const result = await step.run(feeds);
    const afterRun = performance.now();
    optimizer.step(store, result.gradients, 1e-3);
    const end = performance.now();
    forwardBackwardTimes.push((afterRun - start) / 1000);
    stepTimes.push((end - start) / 1000);
    if (run === 0) firstLoss = result.loss;
    lastLoss = result.loss;
  }
  const tokens = batch * sequence;
  const stepTime = median(stepTimes);
  const forwardBackwardTime = median(forwardBackwardTimes);
  const flops = referenceDecoderTrainingFlops(config, batch, sequence);
  const tokensPerSecond = tokens / stepTime;
  const mfu = flops / stepTime / peak;
  console.log(`loss over ${timedSteps} steps on one batch: ${firstLoss.toFixed(4)} -> ${lastLoss.toFixed(4)}`);
  console.log(`training step (forward + backward + AdamW), median: ${(stepTime * 1000).toFixed(1)} ms`);
  console.log(
    `forward + backward run, median: ${(forwardBackwardTime * 1000).toFixed(1)} ms ` +
      `(${(flops / forwardBackwardTime / 1e9).toFixed(1)} GFLOP/s, ${(flops / forwardBackwardTime / peak).toFixed(3)} of peak)`,
  );
  console.log(
    `model FLOPs per step: ${(flops / 1e9).toFixed(2)} GFLOP; achieved ${(flops / stepTime / 1e9).toFixed(1)} GFLOP/s`,
  );

  const split = await profileSplit(store, feeds);
  const total = [...split.values()].reduce((a, b) => a + b, 0);
  const matmulTime = ['MatMul', 'Gemm', 'FusedMatMul', 'FusedGemm']
    .map((name) => split.get(name) ?? 0)
    .reduce((a, b) => a + b, 0);
  console.log(`per-op kernel time of one step (ONNX Runtime profiler), total ${(total / 1000).toFixed(1)} ms:`);
  for (const [name, micros] of [...split].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(
      `  ${name.padEnd(28)} ${(micros / 1000).toFixed(2).padStart(8)} ms  ${((100 * micros) / total).toFixed(1)}%`,
    );
  }
  console.log(
    `  MatMul/Gemm share: ${((100 * matmulTime) / total).toFixed(1)}%, the rest ${((100 * (total - matmulTime)) / total).toFixed(1)}%`,
  );

  await startTfjsWasm();
  const tfjsStep = tfjsDecoderStep(config, store, batch, sequence, feeds.tokens, feeds.targets);
  await tfjsStep();
  const tfjsTimes: number[] = [];
  for (let run = 0; run < tfjsSteps; run++) {
    const start = performance.now();
    await tfjsStep();
    tfjsTimes.push((performance.now() - start) / 1000);
  }
  const tfjsTime = median(tfjsTimes);
  const versusTfjs = tfjsTime / forwardBackwardTime;
  console.log(
    `TensorFlow.js WASM forward + backward, median of ${tfjsSteps}: ${(tfjsTime * 1000).toFixed(0)} ms ` +
      `(${(tokens / tfjsTime).toFixed(0)} tokens/s); ONNX Runtime is ${versusTfjs.toFixed(1)}x faster`,
  );
  console.log(`mfu=${mfu.toFixed(3)} vs_tfjs=${versusTfjs.toFixed(2)} tokens_per_s=${tokensPerSecond.toFixed(0)}`);
}

await main();
