// Trains the reference decoder (4 layers, width 256, 4 heads, context 128, vocabulary 4096, batch 16) on ONNX
// Runtime and reports tokens/s and model FLOPs utilisation against ONNX Runtime's own large-GEMM rate, the
// per-op time split of one step, and the same step in TensorFlow.js (WASM).
//   pnpm --filter @diffchat/autodiff bench
//   BENCH_STEPS=10 BENCH_TFJS_STEPS=2 BENCH_THREADS=2 BENCH_SPIN=1 pnpm --filter @diffchat/autodiff bench
// On a machine shared with other work every figure moves with the load, so each ratio is taken between
// measurements interleaved in time: GEMM peak samples between training steps, ONNX Runtime steps around each
// TensorFlow.js step.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdamW,
  addReferenceDecoderParameters,
  benchmarkDecoderConfig,
  buildReferenceDecoder,
  type CompileOptions,
  compileGraph,
  compileTrainingStep,
  Graph,
  matmul,
  ParameterStore,
  referenceDecoderTrainingFlops,
  type TrainingStep,
} from '../src/index';
import { startTfjsWasm, tfjsDecoderStep } from './tfjs-decoder';

const config = benchmarkDecoderConfig;
const batch = 16;
const sequence = config.context;
const warmupSteps = 3;
const timedSteps = Number(process.env.BENCH_STEPS ?? 10);
const tfjsSteps = Number(process.env.BENCH_TFJS_STEPS ?? 2);
for (const [name, value] of [
  ['BENCH_STEPS', timedSteps],
  ['BENCH_TFJS_STEPS', tfjsSteps],
] as const) {
  if (!(Number.isInteger(value) && value >= 1)) throw new RangeError(`${name} must be an integer >= 1, got ${value}`);
}
const peakSamplesPerStep = 2;
const profiledSteps = 4;
// Spinning threads are off unless BENCH_SPIN=1: on this shared machine they cost the step about half its speed
// (README), and the GEMM peak is measured with the same settings as the step.
const sessionOptions: CompileOptions = { allowSpinning: process.env.BENCH_SPIN === '1' };
if (process.env.BENCH_THREADS) sessionOptions.intraOpNumThreads = Number(process.env.BENCH_THREADS);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function load(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
}

/** Seconds of wall clock and of process CPU (all threads) that `work` takes. */
async function timed(work: () => Promise<unknown> | unknown): Promise<{ wall: number; cpu: number }> {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await work();
  const wall = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return { wall, cpu: (cpu.user + cpu.system) / 1e6 };
}

/** A 1024 x 1024 x 1024 MatMul with both inputs fed and the output returned; each call times one run. */
async function gemmPeakSampler(): Promise<() => Promise<{ wall: number; cpu: number }>> {
  const graph = new Graph('gemm-peak');
  const size = 1024;
  const a = graph.input('a', 'float32', [size, size]);
  const b = graph.input('b', 'float32', [size, size]);
  graph.output('c', matmul(a, b));
  const compiled = await compileGraph(graph, sessionOptions);
  const feeds = {
    a: Float32Array.from({ length: size * size }, (_, index) => ((index * 7) % 13) / 13 - 0.5),
    b: Float32Array.from({ length: size * size }, (_, index) => ((index * 5) % 11) / 11 - 0.5),
  };
  for (let run = 0; run < 3; run++) await compiled.run(feeds);
  return () => timed(() => compiled.run(feeds));
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

/**
 * Kernel time of one step by op type: each node's fastest of `profiledSteps` profiled runs (the least disturbed
 * by other processes), summed per op type, in microseconds.
 */
async function profileSplit(store: ParameterStore, feeds: ReturnType<typeof toyBatch>): Promise<Map<string, number>> {
  const directory = await mkdtemp(join(tmpdir(), 'autodiff-profile-'));
  try {
    const model = buildReferenceDecoder(config, batch, sequence, 'profiled-decoder');
    const step = await compileTrainingStep(model.loss, store, {
      ...sessionOptions,
      enableProfiling: true,
      profileFilePrefix: join(directory, 'step'),
    });
    for (let run = 0; run < profiledSteps; run++) await step.run(feeds);
    step.compiled.endProfiling();
    const file = (await readdir(directory)).find((name) => name.endsWith('.json'));
    const events = JSON.parse(await readFile(join(directory, file!), 'utf8')) as ProfileEvent[];
    const fastest = new Map<string, { op: string; micros: number }>();
    for (const event of events) {
      if (event.cat !== 'Node' || !event.name?.endsWith('_kernel_time') || !event.args?.op_name) continue;
      const previous = fastest.get(event.name);
      const micros = event.dur ?? 0;
      if (!previous || micros < previous.micros) fastest.set(event.name, { op: event.args.op_name, micros });
    }
    const byOp = new Map<string, number>();
    for (const { op, micros } of fastest.values()) byOp.set(op, (byOp.get(op) ?? 0) + micros);
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
  console.log(
    `machine: ${availableParallelism()} CPUs, load average ${load()}; ONNX Runtime threads: ` +
      `${sessionOptions.intraOpNumThreads ?? 'default (one per physical core)'}, spinning: ` +
      `${sessionOptions.allowSpinning ? 'on' : 'off'}`,
  );
  const samplePeak = await gemmPeakSampler();

  const store = new ParameterStore({ seed: 0 });
  addReferenceDecoderParameters(store, config);
  console.log(`parameters: ${store.totalElements()}`);
  const model = buildReferenceDecoder(config, batch, sequence);
  const compileStart = performance.now();
  const step: TrainingStep = await compileTrainingStep(model.loss, store, sessionOptions);
  console.log(`compile: ${((performance.now() - compileStart) / 1000).toFixed(2)} s`);
  const optimizer = new AdamW({ beta2: 0.95, weightDecay: 0.1 });
  const feeds = toyBatch();
  for (let run = 0; run < warmupSteps; run++) {
    const result = await step.run(feeds);
    optimizer.step(store, result.gradients, 1e-3);
  }
  console.log(`warm-up: ${warmupSteps} steps`);

  // Timed steps, each split into the ONNX Runtime run and AdamW, with GEMM peak samples between them.
  const peakTimes: number[] = [];
  const peakCpuTimes: number[] = [];
  const stepTimes: number[] = [];
  const runTimes: number[] = [];
  const optimizerTimes: number[] = [];
  const cpuTimes: number[] = [];
  let firstLoss = 0;
  let loss = 0;
  for (let run = 0; run < timedSteps; run++) {
    for (let sample = 0; sample < peakSamplesPerStep; sample++) {
      const { wall, cpu } = await samplePeak();
      peakTimes.push(wall);
      peakCpuTimes.push(cpu);
    }
    let result: Awaited<ReturnType<TrainingStep['run']>> | undefined;
    const forwardBackward = await timed(async () => {
      result = await step.run(feeds);
    });
    const update = await timed(() => optimizer.step(store, result!.gradients, 1e-3));
    runTimes.push(forwardBackward.wall);
    optimizerTimes.push(update.wall);
    stepTimes.push(forwardBackward.wall + update.wall);
    cpuTimes.push(forwardBackward.cpu + update.cpu);
    if (run === 0) firstLoss = result!.loss;
    loss = result!.loss;
  }
  const peakTime = median(peakTimes);
  const peak = (2 * 1024 ** 3) / peakTime;
  const tokens = batch * sequence;
  const stepTime = median(stepTimes);
  const runTime = median(runTimes);
  const flops = referenceDecoderTrainingFlops(config, batch, sequence);
  const tokensPerSecond = tokens / stepTime;
  const mfu = flops / stepTime / peak;
  console.log(
    `GEMM peak (1024^3 MatMul, median of ${peakTimes.length}, sampled between the timed steps): ` +
      `${(peak / 1e9).toFixed(1)} GFLOP/s (samples ${((2 * 1024 ** 3) / Math.max(...peakTimes) / 1e9).toFixed(1)}` +
      `-${((2 * 1024 ** 3) / Math.min(...peakTimes) / 1e9).toFixed(1)})`,
  );
  console.log(`loss over ${timedSteps} timed steps on one batch: ${firstLoss.toFixed(4)} -> ${loss.toFixed(4)}`);
  console.log(
    `training step (forward + backward + AdamW), median of ${timedSteps}: ${(stepTime * 1000).toFixed(1)} ms ` +
      `(process CPU ${(median(cpuTimes) * 1000).toFixed(0)} ms)`,
  );
  console.log(
    `  forward + backward run: ${(runTime * 1000).toFixed(1)} ms ` +
      `(${(flops / runTime / 1e9).toFixed(1)} GFLOP/s, ${(flops / runTime / peak).toFixed(3)} of peak); ` +
      `AdamW on ${store.totalElements()} parameters: ${(median(optimizerTimes) * 1000).toFixed(1)} ms`,
  );
  console.log(
    `model FLOPs per step: ${(flops / 1e9).toFixed(2)} GFLOP; achieved ${(flops / stepTime / 1e9).toFixed(1)} GFLOP/s`,
  );
  const pairedMfu = median(stepTimes.map((time, index) => flops / time / ((2 * 1024 ** 3) / peakTimes[2 * index]!)));
  console.log(`MFU against the peak sample just before each step (median): ${pairedMfu.toFixed(3)}`);
  // Process CPU seconds do not count time spent waiting for a core, so this ratio moves least with the load.
  const cpuMfu = flops / median(cpuTimes) / ((2 * 1024 ** 3) / median(peakCpuTimes));
  console.log(`MFU in process CPU time (step CPU seconds against the GEMM's CPU seconds): ${cpuMfu.toFixed(3)}`);

  const split = await profileSplit(store, feeds);
  const total = [...split.values()].reduce((a, b) => a + b, 0);
  const matmulTime = ['MatMul', 'Gemm', 'FusedMatMul', 'FusedGemm']
    .map((name) => split.get(name) ?? 0)
    .reduce((a, b) => a + b, 0);
  console.log(
    `per-op kernel time of one step (ONNX Runtime profiler, each node's fastest of ${profiledSteps} runs), ` +
      `total ${(total / 1000).toFixed(1)} ms:`,
  );
  for (const [name, micros] of [...split].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(
      `  ${name.padEnd(28)} ${(micros / 1000).toFixed(2).padStart(8)} ms  ${((100 * micros) / total).toFixed(1)}%`,
    );
  }
  console.log(
    `  MatMul/Gemm share: ${((100 * matmulTime) / total).toFixed(1)}%, the rest ${((100 * (total - matmulTime)) / total).toFixed(1)}%`,
  );

  // TensorFlow.js is timed between two ONNX Runtime runs of the same step, and the ratio taken per pair.
  await startTfjsWasm();
  const tfjsStep = tfjsDecoderStep(config, store, batch, sequence, feeds.tokens, feeds.targets);
  await tfjsStep();
  const tfjsTimes: number[] = [];
  const ratios: number[] = [];
  for (let run = 0; run < tfjsSteps; run++) {
    const before = await timed(() => step.run(feeds));
    const tfjs = await timed(() => tfjsStep());
    const after = await timed(() => step.run(feeds));
    tfjsTimes.push(tfjs.wall);
    ratios.push(tfjs.wall / ((before.wall + after.wall) / 2));
  }
  const tfjsTime = median(tfjsTimes);
  const versusTfjs = median(ratios);
  console.log(
    `TensorFlow.js WASM forward + backward, median of ${tfjsSteps}: ${(tfjsTime * 1000).toFixed(0)} ms ` +
      `(${(tokens / tfjsTime).toFixed(0)} tokens/s); ONNX Runtime's run beside it is ${versusTfjs.toFixed(1)}x faster`,
  );
  console.log(`load average at the end: ${load()}`);
  console.log(`mfu=${mfu.toFixed(3)} vs_tfjs=${versusTfjs.toFixed(2)} tokens_per_s=${tokensPerSecond.toFixed(0)}`);
}

await main();
