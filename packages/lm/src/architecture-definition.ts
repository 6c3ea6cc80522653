import type { z } from 'zod';

/** A weight tensor an architecture expects in `model.safetensors`. */
export interface TensorSpec {
  /** Hugging Face's tensor name, e.g. `transformer.h.0.attn.c_attn.weight`. */
  name: string;
  /** Shape, outermost dimension first. */
  shape: number[];
  /** May be absent (e.g. `lm_head.weight` of a model with tied embeddings); checked when present. */
  optional?: boolean;
}

/** The sizes generic code (KV cache, export, benchmarks) needs without knowing the architecture. */
export interface ModelDimensions {
  vocabSize: number;
  /** Width of the residual stream. */
  hiddenSize: number;
  layers: number;
  heads: number;
  /** Longest sequence the model can attend over; absent when positions are unbounded (ALiBi). */
  maxPositions?: number;
}

/** Base of every model config: Hugging Face's `model_type` picks the architecture. */
export interface ModelConfigBase {
  model_type: string;
  [field: string]: unknown;
}

/**
 * One architecture, keyed by Hugging Face's `model_type`. The graph builders (training, scoring,
 * incremental decoding) hang off the same entry, so adding an architecture is one file.
 */
export interface ArchitectureDefinition<Config extends ModelConfigBase = ModelConfigBase> {
  /** `model_type` in config.json. */
  modelType: string;
  /** Validates config.json (after aliases are renamed) and fills in defaults. */
  configSchema: z.ZodType<Config, unknown>;
  /** Other names hub files use for a field: alias -> canonical field. */
  configAliases?: Record<string, string>;
  /** The architecture-independent sizes of a config. */
  dimensions(config: Config): ModelDimensions;
  /** Every weight tensor the model needs, with its shape. */
  tensors(config: Config): TensorSpec[];
  /** Maps a tensor name found in a file to the canonical name of {@link tensors}, or null for a buffer that is not a weight. */
  canonicalTensorName?(name: string): string | null;
  /** Stored element types accepted for weights (converted to float32 on load). Default F32, F16, BF16. */
  weightDtypes?: readonly string[];
}
