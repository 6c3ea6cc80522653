import { createHash } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  AdamW,
  clipGlobalNorm,
  cosineSchedule,
  decayMatricesOnly,
  deriveSeed,
  GradientAccumulator,
  globalNorm,
  type LearningRateSchedule,
  linearWarmup,
  loadTrainingState,
  ParameterStore,
  saveTrainingState,
} from '@diffchat/autodiff';
import {
  ConfigError,
  createProgress,
  createRng,
  createRun,
  type RunDirectory,
  readJsonl,
  writeFileAtomic,
} from '@diffchat/core';
import { CausalLM, loadModel, type WeightTensor } from '@diffchat/lm';
import { z } from 'zod';
import {
  adapterConfigOf,
  defaultTargetModules,
  findLoraTargets,
  initialLoraWeights,
  type LoraAdapter,
  type LoraTarget,
  mergeLoraAdapter,
  saveLoraAdapter,
} from './lora';
import { parseSftConfig, type SftConfig, type SftConfigInput } from './sft-config';
import { loadRecords, type SftData, type SpecialIds, tokenizeRecords } from './sft-data';
import { buildSftGraph, SftStep } from './sft-graph';
import {
  bucketSteps,
  labelsOf,
  packRows,
  padRows,
  perplexity,
  type SequenceRow,
  stepsPerEpoch,
  type TokenizedExample,
  tokenWeightedMean,
} from './sft-math';
import { resolveTemplate, serializeTemplate, TEMPLATE_FILE } from './template';

/** Options of {@link train}: the SFT configuration plus what is not part of it. */
export type TrainOptions = SftConfigInput & {
  /** The model to fine-tune: a loaded model, or a local folder / hub id for `loadModel`. */
  model: CausalLM | string;
  /** Training records: a JSONL path or an array of objects with the template's fields. */
  data: SftData;
  /** Held-out records; when absent, `evalFraction` of `data` is held out. */
  evalData?: SftData;
  /** Continue the run in `outputDir` from its latest checkpoint (its config must match). Default false. */
  resume?: boolean;
  /** Stops training after the current step, writing a checkpoint first (as Ctrl-C does). */
  signal?: AbortSignal;
  /** Turn SIGINT (Ctrl-C) into a checkpoint and a clean return. Default true. */
  handleSigint?: boolean;
  /** Called after every optimiser step. */
  onStep?: (metrics: StepMetrics) => void;
  /** ONNX Runtime threads inside one operator; one per core by default. */
  intraOpNumThreads?: number;
};

/** What one optimiser step measured. */
export interface StepMetrics {
  /** Steps done, this one included. */
  step: number;
  /** Mean cross-entropy over the step's counted tokens. */
  loss: number;
  /** Learning rate the step used. */
  lr: number;
  /** Global gradient L2 norm before clipping. */
  gradNorm: number;
  /** Real (unpadded) tokens processed per second in this step. */
  tokensPerSecond: number;
  /** Eval loss and perplexity, on steps that evaluated. */
  evalLoss?: number;
  evalPerplexity?: number;
}

/** Why training ended. */
export type StopReason = 'completed' | 'early-stopped' | 'interrupted';

/** What {@link train} returns. */
export interface TrainResult {
  /** The run directory. */
  runDirectory: string;
  /** Where the final model (full fine-tuning) or adapter (LoRA) was written; absent when interrupted. */
  outputPath?: string;
  /** Optimiser steps done in total (earlier sessions of a resumed run included). */
  steps: number;
  stopReason: StopReason;
  /** The resolved configuration. */
  config: SftConfig;
  /** Loss of the last step. */
  lastLoss: number;
  /** Lowest eval loss seen (NaN without evaluation). */
  bestEvalLoss: number;
  /** The trained model (full fine-tuning: new weights; LoRA: base with the adapter merged). */
  model: CausalLM;
  /** The trained adapter (LoRA only). */
  adapter?: LoraAdapter;
}

/** What a checkpoint keeps besides weights and optimiser state. */
interface ResumeState {
  bestEvalLoss: number | null;
  evaluationsWithoutImprovement: number;
  /** Loss of the checkpoint's last step (null when it had no counted token), so a finished run reports it on resume. */
  lastLoss?: number | null;
}

const FINAL_MODEL_FOLDER = 'model';
const FINAL_ADAPTER_FOLDER = 'adapter';
// Weights, optimiser moments, step and early-stopping state, beside the model files of a checkpoint.
const TRAINER_STATE_FOLDER = 'trainer';

function specialIdsOf(model: CausalLM): SpecialIds {
  const fromTokenizer = model.tokenizer?.specialTokenIds ?? {};
  const fromConfig = model.config as { eos_token_id?: unknown; pad_token_id?: unknown };
  const eos = fromTokenizer.eos ?? (typeof fromConfig.eos_token_id === 'number' ? fromConfig.eos_token_id : undefined);
  if (eos === undefined) throw new ConfigError('the model has no end-of-sequence token (tokenizer or config.json)');
  const pad = fromTokenizer.pad ?? (typeof fromConfig.pad_token_id === 'number' ? fromConfig.pad_token_id : eos);
  return { eos, pad };
}

function digestOf(data: SftData): string {
  return typeof data === 'string' ? data : `sha256:${createHash('sha256').update(JSON.stringify(data)).digest('hex')}`;
}

function scheduleOf(config: SftConfig, totalSteps: number): LearningRateSchedule {
  const warmupSteps = Math.min(config.warmupSteps, totalSteps);
  if (config.schedule === 'constant') return linearWarmup({ learningRate: config.learningRate, warmupSteps });
  return cosineSchedule({
    learningRate: config.learningRate,
    warmupSteps,
    totalSteps,
    minLearningRate: config.learningRate * config.minLearningRateRatio,
  });
}

/**
 * Supervised fine-tuning of a causal LM on prompt/completion records, as numbered steps:
 * 1. resolve the config, the model, the template and the special tokens;
 * 2. render and tokenise the records, and hold out the eval split;
 * 3. open (or resume) the run directory;
 * 4. set up the trainable parameters (every weight, or LoRA adapters), AdamW and the schedule;
 * 5. restore the latest checkpoint when resuming;
 * 6. per optimiser step: micro-batches (length-bucketed or packed) -> forward/backward -> token-weighted
 *    gradient accumulation -> global-norm clipping -> AdamW at the scheduled rate;
 * 7. log metrics, evaluate (early stopping), checkpoint, every N steps; stop cleanly on SIGINT / abort;
 * 8. write the final model (or adapter) with its template.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const {
    model: modelSource,
    data,
    evalData,
    resume = false,
    signal,
    handleSigint = true,
    onStep,
    intraOpNumThreads,
    ...configInput
  } = options;

  // 1. Config, model, template, special tokens.
  const requested = parseSftConfig(configInput, 'train options');
  const model = typeof modelSource === 'string' ? await loadModel(modelSource) : modelSource;
  if (!model.tokenizer) throw new ConfigError('train: the model has no tokenizer');
  const template = resolveTemplate(requested.template as Parameters<typeof resolveTemplate>[0], 'template');
  const special = specialIdsOf(model);
  // Sequences never outgrow the learned positions of the model (GPT-2's n_positions).
  const config: SftConfig = {
    ...requested,
    maxLength: Math.min(requested.maxLength, model.dimensions.maxPositions ?? Number.POSITIVE_INFINITY),
  };

  // 2. Data and the held-out split.
  const tokenize = (records: readonly Readonly<Record<string, unknown>>[], source: string) =>
    tokenizeRecords(records, template, model.tokenizer!, special, config.maxLength, config.mode, source);
  const trainRecords = await loadRecords(data, template);
  let evalRecords: Record<string, unknown>[] = [];
  let fitRecords = trainRecords;
  if (evalData !== undefined) evalRecords = await loadRecords(evalData, template);
  else if (config.evalFraction > 0) {
    const held = Math.floor(trainRecords.length * config.evalFraction);
    const order = createRng(config.seed)
      .fork('eval-split')
      .shuffle(trainRecords.map((_, index) => index));
    const heldOut = new Set(order.slice(0, held));
    evalRecords = trainRecords.filter((_, index) => heldOut.has(index));
    fitRecords = trainRecords.filter((_, index) => !heldOut.has(index));
  }
  const trainSet = tokenize(fitRecords, typeof data === 'string' ? data : 'data');
  const evalSet = tokenize(evalRecords, typeof evalData === 'string' ? evalData : 'eval data');
  if (trainSet.examples.length === 0) {
    throw new ConfigError(
      `train: no training example fits maxLength ${config.maxLength} (${trainSet.dropped} dropped)`,
    );
  }

  // 3. Run directory.
  const run = await openRunDirectory(requested, modelSource, model, data, evalData, resume);
  const runPath = run.path;

  // 4. Parameters, optimiser, schedule.
  const lora = config.lora;
  const targets: LoraTarget[] = lora ? findLoraTargets(model.config.model_type, model.weights, lora.targetModules) : [];
  const store = new ParameterStore({ seed: config.seed });
  const initial = lora ? initialLoraWeights(targets, lora.rank, config.seed) : model.weights;
  for (const [name, tensor] of initial) store.add(name, tensor.shape, tensor.data);
  const optimizer = new AdamW({
    beta1: config.adamBeta1,
    beta2: config.adamBeta2,
    epsilon: config.adamEpsilon,
    weightDecay: config.weightDecay,
    decay: decayMatricesOnly,
  });
  // The order of each epoch follows from the seed alone, so a resumed run sees the same batches.
  const planner = epochPlanner(trainSet.examples, config, createRng(config.seed).fork('data-order'));
  const perEpoch = planner.stepsPerEpoch;
  const totalSteps = config.maxSteps > 0 ? config.maxSteps : Math.max(1, Math.ceil(config.epochs * perEpoch));
  const schedule = scheduleOf(config, totalSteps);

  // 5. Resume.
  let step = 0;
  let state: ResumeState = { bestEvalLoss: null, evaluationsWithoutImprovement: 0 };
  const latest = await run.latestCheckpoint();
  if (latest !== undefined) {
    const loaded = await loadTrainingState(join(latest.path, TRAINER_STATE_FOLDER), { store, optimizer });
    step = loaded.step;
    state = loaded.extra as ResumeState;
  }
  // Checkpoints written before the loss was kept in them fall back to the last logged one.
  let lastLoss = state.lastLoss ?? (step > 0 ? await lastLoggedLoss(run, step) : Number.NaN);

  const graph = buildSftGraph(
    model,
    lora ? { targets, rank: lora.rank, alpha: lora.alpha, dropout: lora.dropout } : undefined,
  );
  const shapes = new Map([...store].map((parameter) => [parameter.name, parameter.shape]));
  const runner = await SftStep.create(graph, shapes, { intraOpNumThreads });
  const parameters = new Map([...store].map((parameter) => [parameter.name, parameter.data]));
  const accumulator = new GradientAccumulator();

  const trainedModel = (): CausalLM => {
    const weights = new Map<string, WeightTensor>(model.weights);
    const adapter = adapterOf();
    if (adapter) {
      for (const [name, tensor] of mergeLoraAdapter(model.config.model_type, model.weights, adapter)) {
        weights.set(name, tensor);
      }
    } else {
      for (const parameter of store) weights.set(parameter.name, { shape: parameter.shape, data: parameter.data });
    }
    return new CausalLM({
      config: model.config,
      weights,
      tokenizer: model.tokenizer,
      generationConfig: model.generationConfig,
    });
  };
  const adapterOf = (): LoraAdapter | undefined =>
    lora
      ? {
          config: adapterConfigOf(
            model.config.model_type,
            lora,
            lora.targetModules ?? defaultTargetModules(model.config.model_type),
            typeof modelSource === 'string' ? modelSource : null,
          ),
          tensors: new Map(
            [...store].map((parameter) => [parameter.name, { shape: parameter.shape, data: parameter.data }]),
          ),
        }
      : undefined;
  const writeModel = async (directory: string) => {
    const adapter = adapterOf();
    if (adapter) {
      await saveLoraAdapter(directory, adapter);
      await writeFileAtomic(join(directory, TEMPLATE_FILE), serializeTemplate(template));
    } else {
      await trainedModel().save(directory, { [TEMPLATE_FILE]: serializeTemplate(template) });
    }
  };
  const checkpoint = async () => {
    await run.saveCheckpoint(step, async (directory) => {
      await writeModel(directory);
      await saveTrainingState(join(directory, TRAINER_STATE_FOLDER), {
        store,
        optimizer,
        step,
        // JSON has no NaN; null stands for "no loss measured".
        extra: { ...state, lastLoss: Number.isFinite(lastLoss) ? lastLoss : null },
      });
    });
    await pruneCheckpoints(run, config.keepCheckpoints);
  };

  const evaluate = async (): Promise<number> => {
    const losses: number[] = [];
    const counts: number[] = [];
    const rows = evalSet.examples
      .map((example) => ({ ids: [...example.ids], labels: labelsOf(example, config.mode) }))
      .sort((a, b) => a.ids.length - b.ids.length);
    for (let start = 0; start < rows.length; start += config.batchSize) {
      const batch = padRows(rows.slice(start, start + config.batchSize), special.pad);
      if (batch.tokens === 0) continue;
      const { loss, tokens } = await runner.evaluate(batch, parameters);
      losses.push(loss);
      counts.push(tokens);
    }
    return tokenWeightedMean(losses, counts);
  };

  const controller = new AbortController();
  const abort = () => controller.abort();
  signal?.addEventListener('abort', abort);
  if (signal?.aborted) abort();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    // A second Ctrl-C while the checkpoint is written means: leave now.
    if (interrupts > 1) process.exit(130);
    abort();
  };
  if (handleSigint) process.on('SIGINT', onSigint);
  const progress = createProgress({ total: totalSteps, initial: step, label: 'sft' });

  let stopReason: StopReason = 'completed';
  try {
    // 6-7. The loop.
    while (step < totalSteps) {
      if (controller.signal.aborted) {
        stopReason = 'interrupted';
        break;
      }
      const started = performance.now();
      const microBatches = planner.planOf(step);
      let realTokens = 0;
      let lossSum = 0;
      accumulator.reset();
      for (const [micro, rows] of microBatches.entries()) {
        const batch = padRows(rows, special.pad);
        realTokens += rows.reduce((sum, row) => sum + row.ids.length, 0);
        if (batch.tokens === 0) continue;
        // Dropout masks follow from the seed, the step and the micro-batch, so a resumed run draws the same.
        const result = await runner.run(batch, parameters, deriveSeed(config.seed, `lora-dropout-${step}-${micro}`));
        accumulator.add(result.gradients, result.tokens);
        lossSum += result.loss * result.tokens;
      }
      const lr = schedule(step);
      let gradNorm = 0;
      if (accumulator.tokenCount > 0) {
        const gradients = accumulator.average();
        gradNorm = config.maxGradNorm > 0 ? clipGlobalNorm(gradients, config.maxGradNorm) : globalNorm(gradients);
        if (Number.isFinite(gradNorm)) optimizer.step(store, gradients, lr);
        lastLoss = lossSum / accumulator.tokenCount;
      }
      step++;
      const seconds = (performance.now() - started) / 1000;
      const metrics: StepMetrics = { step, loss: lastLoss, lr, gradNorm, tokensPerSecond: realTokens / seconds };
      const evaluating =
        evalSet.examples.length > 0 && config.evalEvery > 0 && (step % config.evalEvery === 0 || step === totalSteps);
      if (evaluating) {
        metrics.evalLoss = await evaluate();
        metrics.evalPerplexity = perplexity(metrics.evalLoss);
        if (state.bestEvalLoss === null || metrics.evalLoss < state.bestEvalLoss) {
          state = { bestEvalLoss: metrics.evalLoss, evaluationsWithoutImprovement: 0 };
        } else {
          state = { ...state, evaluationsWithoutImprovement: state.evaluationsWithoutImprovement + 1 };
        }
      }
      if (step % config.logEvery === 0 || evaluating || step === totalSteps) {
        await run.logMetrics({
          step,
          loss: metrics.loss,
          lr,
          grad_norm: gradNorm,
          tokens_per_second: metrics.tokensPerSecond,
          ...(metrics.evalLoss === undefined
            ? {}
            : { eval_loss: metrics.evalLoss, eval_perplexity: metrics.evalPerplexity! }),
        });
      }
      progress.tick(1, {
        loss: metrics.loss,
        lr,
        ...(metrics.evalLoss === undefined ? {} : { eval: metrics.evalLoss }),
      });
      onStep?.(metrics);
      const stopEarly =
        config.earlyStoppingPatience > 0 && state.evaluationsWithoutImprovement >= config.earlyStoppingPatience;
      if (stopEarly) stopReason = 'early-stopped';
      if (config.checkpointEvery > 0 && step % config.checkpointEvery === 0 && step < totalSteps && !stopEarly) {
        await checkpoint();
      }
      if (stopEarly) break;
    }
    // 8. Final checkpoint and model.
    await checkpoint();
    let outputPath: string | undefined;
    if (stopReason !== 'interrupted') {
      outputPath = join(runPath, lora ? FINAL_ADAPTER_FOLDER : FINAL_MODEL_FOLDER);
      await writeModel(outputPath);
      await run.complete();
    } else {
      await run.close();
    }
    progress.stop({ loss: lastLoss });
    return {
      runDirectory: runPath,
      ...(outputPath === undefined ? {} : { outputPath }),
      steps: step,
      stopReason,
      config,
      lastLoss,
      bestEvalLoss: state.bestEvalLoss ?? Number.NaN,
      model: trainedModel(),
      ...(lora ? { adapter: adapterOf()! } : {}),
    };
  } catch (error) {
    progress.stop();
    await run.fail(error);
    throw error;
  } finally {
    if (handleSigint) process.off('SIGINT', onSigint);
    signal?.removeEventListener('abort', abort);
    await runner.dispose();
  }
}

async function openRunDirectory(
  config: SftConfig,
  modelSource: CausalLM | string,
  model: CausalLM,
  data: SftData,
  evalData: SftData | undefined,
  resume: boolean,
): Promise<RunDirectory> {
  const inputs: Record<string, string> = {};
  if (typeof data === 'string') inputs.train = data;
  if (typeof evalData === 'string') inputs.eval = evalData;
  const runConfig = {
    ...config,
    model: typeof modelSource === 'string' ? modelSource : `in-memory ${model.config.model_type}`,
    data: digestOf(data),
    evalData: evalData === undefined ? null : digestOf(evalData),
  };
  const run = await createRun({
    root: dirname(config.outputDir),
    name: basename(config.outputDir),
    config: runConfig,
    seed: config.seed,
    inputs,
    // The run's own folder is where it lives, not a setting: a run directory moved elsewhere still resumes.
    resumeIgnores: ['outputDir'],
  });
  if (run.resumed && !resume && (await run.latestCheckpoint()) !== undefined) {
    await run.close();
    throw new ConfigError(
      `${config.outputDir} already holds checkpoints; pass resume: true (--resume) to continue it, or choose another outputDir`,
    );
  }
  return run;
}

/** The `loss` logged for `step` in the run's metrics.jsonl (the last such line), or NaN if none. */
async function lastLoggedLoss(run: RunDirectory, step: number): Promise<number> {
  let loss = Number.NaN;
  try {
    for await (const metrics of readJsonl(run.metricsPath, z.looseObject({ step: z.number(), loss: z.unknown() }), {
      onInvalid: 'skip',
    })) {
      if (metrics.step === step && typeof metrics.loss === 'number') loss = metrics.loss;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return loss;
}

async function pruneCheckpoints(run: RunDirectory, keep: number): Promise<void> {
  const steps = await run.listCheckpoints();
  for (const old of steps.slice(0, Math.max(0, steps.length - keep))) {
    await rm(run.checkpointPath(old), { recursive: true, force: true });
  }
  // Folders of saves that were interrupted before their rename.
  for (const entry of await readdir(run.checkpointsPath)) {
    if (entry.includes('.partial-') && !entry.endsWith(`.partial-${process.pid}`)) {
      await rm(join(run.checkpointsPath, entry), { recursive: true, force: true });
    }
  }
}

/**
 * The micro-batches of any step: epoch e's order is a shuffle drawn from the `data-order` stream forked by e,
 * then packed or length-bucketed; one epoch's plan is cached at a time.
 */
function epochPlanner(
  examples: readonly TokenizedExample[],
  config: SftConfig,
  rng: ReturnType<typeof createRng>,
): { stepsPerEpoch: number; planOf: (step: number) => SequenceRow[][] } {
  const rows = examples.map((example) => ({ ids: [...example.ids], labels: labelsOf(example, config.mode) }));
  const planEpoch = (epoch: number): SequenceRow[][][] => {
    const epochRng = rng.fork(`epoch-${epoch}`);
    const order = epochRng.shuffle(rows.map((_, index) => index));
    const epochRows = config.packing
      ? packRows(
          order.map((index) => rows[index]!),
          config.maxLength,
        )
      : rows;
    const indexOrder = config.packing ? epochRows.map((_, index) => index) : order;
    const stepRng = epochRng.fork('steps');
    return bucketSteps(
      indexOrder,
      epochRows.map((row) => row.ids.length),
      config.batchSize,
      config.gradientAccumulationSteps,
      { shuffle: (items) => stepRng.shuffle(items) },
    ).map((micro) => micro.map((batch) => batch.map((index) => epochRows[index]!)));
  };
  let cached = { epoch: 0, steps: planEpoch(0) };
  // Packing makes an epoch's step count depend on its order; epoch 0's count is used for all, wrapping if short.
  const perEpoch = config.packing
    ? cached.steps.length
    : stepsPerEpoch(examples.length, config.batchSize, config.gradientAccumulationSteps);
  return {
    stepsPerEpoch: perEpoch,
    planOf: (step) => {
      const epoch = Math.floor(step / perEpoch);
      if (cached.epoch !== epoch) cached = { epoch, steps: planEpoch(epoch) };
      return cached.steps[(step % perEpoch) % cached.steps.length]!;
    },
  };
}
