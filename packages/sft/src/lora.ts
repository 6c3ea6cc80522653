import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deriveSeed, readSafetensors, SeededRandom, serializeSafetensors } from '@diffchat/autodiff';
import { ConfigError, validate, writeFileAtomic } from '@diffchat/core';
import type { WeightTensor } from '@diffchat/lm';
import { z } from 'zod';
import type { LoraConfig } from './sft-config';

/*
 * LoRA (Hu et al. 2021) in PEFT's file layout: for a frozen projection W, two trained matrices A [r, in] and
 * B [out, r] whose product, scaled by alpha / r, is added to W. A starts uniform in +-1/sqrt(in) (PEFT's
 * kaiming_uniform with a = sqrt(5)) and B at zero, so training starts from the base model exactly.
 */

/** PEFT's adapter config file. */
export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
/** PEFT's adapter weights file. */
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';

/**
 * How each supported architecture stores its projections and which modules are its attention and MLP
 * projections. GPT-2's Conv1D keeps [in, out] (PEFT's `fan_in_fan_out`), BLOOM's Linear [out, in].
 */
export const LORA_ARCHITECTURES = {
  gpt2: { layout: 'in-out', projections: ['c_attn', 'c_proj', 'c_fc'] },
  bloom: { layout: 'out-in', projections: ['query_key_value', 'dense', 'dense_h_to_4h', 'dense_4h_to_h'] },
} as const satisfies Record<string, { layout: 'in-out' | 'out-in'; projections: readonly string[] }>;

/** One adapted projection. */
export interface LoraTarget {
  /** Module path, e.g. `transformer.h.0.attn.c_attn`. */
  module: string;
  /** Name of the frozen weight, `<module>.weight`. */
  weight: string;
  /** Input and output widths of the projection. */
  inputs: number;
  outputs: number;
  /** Storage layout of the frozen weight. */
  layout: 'in-out' | 'out-in';
  /** PEFT tensor names of the adapters. */
  loraA: string;
  loraB: string;
}

function architectureOf(modelType: string) {
  const architecture = (
    LORA_ARCHITECTURES as Record<string, (typeof LORA_ARCHITECTURES)[keyof typeof LORA_ARCHITECTURES]>
  )[modelType];
  if (architecture === undefined) {
    throw new ConfigError(
      `LoRA: model_type "${modelType}" has no projection table; supported: ${Object.keys(LORA_ARCHITECTURES).join(', ')}`,
    );
  }
  return architecture;
}

/** The default target modules of an architecture: every attention and MLP projection. */
export function defaultTargetModules(modelType: string): string[] {
  return [...architectureOf(modelType).projections];
}

/**
 * The projections LoRA adapts: 2-D `<module>.weight` tensors whose module path equals a target or ends with
 * `.<target>` (PEFT's rule), embeddings excluded.
 * @throws ConfigError when a target matches nothing, naming the modules that exist.
 */
export function findLoraTargets(
  modelType: string,
  weights: ReadonlyMap<string, WeightTensor>,
  targetModules: readonly string[] = defaultTargetModules(modelType),
): LoraTarget[] {
  const { layout } = architectureOf(modelType);
  const targets: LoraTarget[] = [];
  const matched = new Set<string>();
  for (const [name, tensor] of weights) {
    if (!name.endsWith('.weight') || tensor.shape.length !== 2) continue;
    const module = name.slice(0, -'.weight'.length);
    if (/(^|\.)(wte|wpe|word_embeddings|lm_head)$/.test(module)) continue;
    const target = targetModules.find((candidate) => module === candidate || module.endsWith(`.${candidate}`));
    if (target === undefined) continue;
    matched.add(target);
    const [first, second] = tensor.shape as [number, number];
    const [inputs, outputs] = layout === 'in-out' ? [first, second] : [second, first];
    targets.push({
      module,
      weight: name,
      inputs,
      outputs,
      layout,
      loraA: `base_model.model.${module}.lora_A.weight`,
      loraB: `base_model.model.${module}.lora_B.weight`,
    });
  }
  const unmatched = targetModules.filter((target) => !matched.has(target));
  if (unmatched.length > 0) {
    throw new ConfigError(
      `lora.targetModules: ${unmatched.map((target) => `"${target}"`).join(', ')} matched no projection; this ${modelType} model's are ${defaultTargetModules(modelType).join(', ')}`,
    );
  }
  return targets;
}

/** Fresh adapters for the targets: A uniform in +-1/sqrt(in) seeded per tensor name, B zero. */
export function initialLoraWeights(
  targets: readonly LoraTarget[],
  rank: number,
  seed: number,
): Map<string, WeightTensor> {
  const adapters = new Map<string, WeightTensor>();
  for (const target of targets) {
    const bound = 1 / Math.sqrt(target.inputs);
    const a = new Float32Array(rank * target.inputs);
    new SeededRandom(deriveSeed(seed, target.loraA)).fillUniform(a, -bound, bound);
    adapters.set(target.loraA, { shape: [rank, target.inputs], data: a });
    adapters.set(target.loraB, { shape: [target.outputs, rank], data: new Float32Array(target.outputs * rank) });
  }
  return adapters;
}

/**
 * The update (alpha / r) B A of one projection, in the frozen weight's storage layout: [out, in] for `out-in`,
 * transposed to [in, out] for `in-out`. Float64 sums.
 */
export function loraDelta(target: LoraTarget, a: Float32Array, b: Float32Array, rank: number, alpha: number) {
  const scale = alpha / rank;
  const { inputs, outputs } = target;
  const delta = new Float32Array(inputs * outputs);
  for (let row = 0; row < outputs; row++) {
    for (let column = 0; column < inputs; column++) {
      let sum = 0;
      for (let k = 0; k < rank; k++) sum += b[row * rank + k]! * a[k * inputs + column]!;
      const index = target.layout === 'out-in' ? row * inputs + column : column * outputs + row;
      delta[index] = scale * sum;
    }
  }
  return delta;
}

/** PEFT's adapter_config.json, the fields this package writes and reads (others are kept on read). */
export const adapterConfigSchema = z.looseObject({
  peft_type: z.literal('LORA'),
  task_type: z.string().default('CAUSAL_LM'),
  r: z.int().positive(),
  lora_alpha: z.number().positive(),
  lora_dropout: z.number().min(0).lt(1).default(0),
  target_modules: z.array(z.string()).min(1),
  fan_in_fan_out: z.boolean().default(false),
  bias: z.literal('none').default('none'),
  base_model_name_or_path: z.string().nullable().default(null),
  inference_mode: z.boolean().default(true),
  modules_to_save: z.null().default(null),
});

/** A parsed adapter_config.json. */
export type AdapterConfig = z.output<typeof adapterConfigSchema>;

/** A LoRA adapter: its PEFT config and its tensors by PEFT name. */
export interface LoraAdapter {
  config: AdapterConfig;
  tensors: Map<string, WeightTensor>;
}

/** The adapter_config.json contents for a run's LoRA options. */
export function adapterConfigOf(
  modelType: string,
  lora: LoraConfig,
  targetModules: readonly string[],
  baseModel: string | null,
): AdapterConfig {
  return {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    r: lora.rank,
    lora_alpha: lora.alpha,
    lora_dropout: lora.dropout,
    target_modules: [...targetModules],
    fan_in_fan_out: architectureOf(modelType).layout === 'in-out',
    bias: 'none',
    base_model_name_or_path: baseModel,
    inference_mode: true,
    modules_to_save: null,
  };
}

/** Writes adapter_config.json and adapter_model.safetensors (PEFT's layout) into `directory`, atomically each. */
export async function saveLoraAdapter(directory: string, adapter: LoraAdapter): Promise<void> {
  await mkdir(directory, { recursive: true });
  await writeFileAtomic(join(directory, ADAPTER_CONFIG_FILE), `${JSON.stringify(adapter.config, null, 2)}\n`);
  await writeFileAtomic(join(directory, ADAPTER_WEIGHTS_FILE), serializeSafetensors(adapter.tensors, { format: 'pt' }));
}

/**
 * Reads a PEFT LoRA adapter folder. Tensor names may carry PEFT's adapter name (`lora_A.default.weight`), which
 * is dropped.
 * @throws ConfigError / ValidationError naming the file and the bad field or tensor.
 */
export async function loadLoraAdapter(directory: string): Promise<LoraAdapter> {
  const configPath = join(directory, ADAPTER_CONFIG_FILE);
  let value: unknown;
  try {
    value = JSON.parse(await readFile(configPath, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${configPath}: cannot read the adapter config (${(error as Error).message})`);
  }
  const config = validate(adapterConfigSchema, value, configPath);
  const weightsPath = join(directory, ADAPTER_WEIGHTS_FILE);
  const { tensors: raw } = await readSafetensors(weightsPath);
  const tensors = new Map<string, WeightTensor>();
  for (const [name, tensor] of raw) {
    const canonical = name.replace(/\.lora_([AB])\.[^.]+\.weight$/, '.lora_$1.weight');
    if (!/^base_model\.model\..+\.lora_[AB]\.weight$/.test(canonical)) {
      throw new ConfigError(`${weightsPath}: tensor ${name} is not a LoRA A/B matrix in PEFT's naming`);
    }
    tensors.set(canonical, tensor);
  }
  return { config, tensors };
}

/**
 * Base weights with an adapter merged in: W + (alpha / r) B A for every adapted projection (the result shares
 * the untouched tensors with `weights`).
 * @throws ConfigError when an adapter matrix has no projection or the wrong shape.
 */
export function mergeLoraAdapter(
  modelType: string,
  weights: ReadonlyMap<string, WeightTensor>,
  adapter: LoraAdapter,
): Map<string, WeightTensor> {
  const { r: rank, lora_alpha: alpha } = adapter.config;
  const targets = findLoraTargets(modelType, weights, adapter.config.target_modules);
  const merged = new Map(weights);
  const used = new Set<string>();
  for (const target of targets) {
    const a = adapter.tensors.get(target.loraA);
    const b = adapter.tensors.get(target.loraB);
    if (a === undefined || b === undefined)
      throw new ConfigError(`LoRA adapter: no ${a ? target.loraB : target.loraA}`);
    if (a.shape.join() !== [rank, target.inputs].join() || b.shape.join() !== [target.outputs, rank].join()) {
      throw new ConfigError(
        `LoRA adapter: ${target.module} has A [${a.shape}] and B [${b.shape}], expected [${rank},${target.inputs}] and [${target.outputs},${rank}]`,
      );
    }
    used.add(target.loraA).add(target.loraB);
    const delta = loraDelta(target, a.data, b.data, rank, alpha);
    const base = weights.get(target.weight)!;
    const data = new Float32Array(base.data.length);
    for (let index = 0; index < data.length; index++) data[index] = base.data[index]! + delta[index]!;
    merged.set(target.weight, { shape: base.shape, data });
  }
  const unused = [...adapter.tensors.keys()].filter((name) => !used.has(name));
  if (unused.length > 0) throw new ConfigError(`LoRA adapter: ${unused[0]} matches no projection of the base model`);
  return merged;
}
