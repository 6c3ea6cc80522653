import { toOnnxModel } from '@diffchat/autodiff';
import type { CausalLM } from '../models/causal-lm';

/** Where {@link exportOnnx} writes the graph, relative to the model directory (transformers.js reads `onnx/model.onnx`). */
export const ONNX_MODEL_FILE = 'onnx/model.onnx';

/** Options of {@link exportOnnx}. */
export interface ExportOnnxOptions {
  /**
   * Weights of at least this many bytes go to `onnx/model.onnx_data` (ONNX external data) instead of the model
   * file, which protobuf limits to 2 GB. Default: everything inline when the weights total under 1.5 GB, else
   * every tensor of 1 KiB or more outside.
   */
  externalDataThreshold?: number;
}

/**
 * Writes `directory` as a complete model directory in Hugging Face's layout (config.json, tokenizer files,
 * model.safetensors, generation_config.json) plus `onnx/model.onnx`: the incremental decoding graph with the
 * decoder-LM names optimum exports and transformers.js loads (`input_ids`, `attention_mask`, `position_ids`
 * for learned positions, `past_key_values.{i}.key/.value` -> `logits`, `present.{i}.key/.value`), weights as
 * initializers. The directory is written atomically.
 */
export async function exportOnnx(model: CausalLM, directory: string, options: ExportOnnxOptions = {}): Promise<void> {
  let bytes = 0;
  for (const tensor of model.weights.values()) bytes += tensor.data.byteLength;
  const threshold = options.externalDataThreshold ?? (bytes < 1.5e9 ? Number.POSITIVE_INFINITY : 1024);
  const { graph } = model.decodingGraph({ name: 'main_graph' });
  const serialized = toOnnxModel(graph, {
    externalDataThreshold: threshold,
    externalDataLocation: 'model.onnx_data',
    producerName: '@diffchat/lm',
  });
  const extraFiles: Record<string, Uint8Array> = { [ONNX_MODEL_FILE]: serialized.model };
  if (serialized.externalData) extraFiles[`onnx/${serialized.externalData.location}`] = serialized.externalData.bytes;
  await model.save(directory, extraFiles);
}
