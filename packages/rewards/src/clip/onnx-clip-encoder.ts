import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResolveModelOptions, TextTokenizer } from '@diffchat/lm';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { l2Normalize } from '../embeddings';
import { RewardError } from '../errors';
import { loadLanguageModels, loadOnnxRuntime, type OnnxRuntime } from '../model-runtime';
import type { RewardImage } from '../reward';
import { clipContextLength, tokenizeForClip } from './clip-tokenization';
import { clipImagePreprocessing, type ImagePreprocessing, preprocessImages } from './image-preprocessing';
import type { ImageTextEncoder } from './image-text-encoder';

/** Options of {@link loadClipEncoder}. */
export interface ClipEncoderOptions {
  /** Images or texts per ONNX Runtime run. Default 16. */
  batchSize?: number;
  /** Overrides of the preprocessing; default: `preprocessor_config.json` when present, else CLIP's constants. */
  preprocessing?: Partial<ImagePreprocessing>;
  /** Token sequence length. Default 77. */
  maxLength?: number;
  /**
   * `exp(logit_scale)` for PickScore. Default: `logit_scale` (the exponentiated value) in config.json when present,
   * else read from the joint model's `logits_per_text`, else 100 (CLIP's clamp, the value trained CLIP models reach).
   */
  logitScale?: number;
  /** Threads inside one ONNX Runtime operator; ONNX Runtime's choice by default. */
  intraOpNumThreads?: number;
  /** How a repository id is downloaded (revision, cache folder, hub URL, token, offline); see @diffchat/lm. */
  hub?: ResolveModelOptions;
}

/** Files of the Hugging Face ONNX layout of a CLIP model. */
export const clipModelFiles = Object.freeze({
  textModel: 'onnx/text_model.onnx',
  visionModel: 'onnx/vision_model.onnx',
  jointModel: 'onnx/model.onnx',
  tokenizer: 'tokenizer.json',
  preprocessor: 'preprocessor_config.json',
  config: 'config.json',
});

const exists = (path: string) =>
  stat(path).then(
    (info) => info.isFile(),
    () => false,
  );

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  if (!(await exists(path))) return undefined;
  try {
    const value: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new RewardError(path, `unreadable: ${(error as Error).message}`);
  }
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

function triple(value: unknown): [number, number, number] | undefined {
  return Array.isArray(value) && value.length === 3 && value.every((entry) => typeof entry === 'number')
    ? (value as [number, number, number])
    : undefined;
}

/** Reads CLIPImageProcessor's fields (`size.shortest_edge`, `crop_size`, `image_mean`, `image_std`). */
function preprocessingFrom(config: Record<string, unknown> | undefined): Partial<ImagePreprocessing> {
  if (config === undefined) return {};
  const size = config.size as { shortest_edge?: unknown } | number | undefined;
  const crop = config.crop_size as { height?: unknown } | number | undefined;
  const found: Partial<ImagePreprocessing> = {};
  const shortestEdge = positiveInteger(typeof size === 'object' ? size?.shortest_edge : size);
  const cropSize = positiveInteger(typeof crop === 'object' ? crop?.height : crop);
  const mean = triple(config.image_mean);
  const std = triple(config.image_std);
  if (shortestEdge !== undefined) found.shortestEdge = shortestEdge;
  if (cropSize !== undefined) found.cropSize = cropSize;
  if (mean !== undefined) found.mean = mean;
  if (std !== undefined) found.std = std;
  return found;
}

type IdType = 'int32' | 'int64';

function idTypeOf(session: InferenceSession, input: string, file: string): IdType {
  const metadata = session.inputMetadata.find((entry) => entry.name === input);
  if (metadata === undefined) throw new RewardError(file, `the model has no input "${input}"`);
  const type = metadata.isTensor ? metadata.type : undefined;
  if (type !== 'int32' && type !== 'int64') {
    throw new RewardError(file, `input "${input}" has type ${String(type)}; expected int32 or int64`);
  }
  return type;
}

function requireOutput(session: InferenceSession, output: string, file: string): void {
  if (!session.outputNames.includes(output)) {
    throw new RewardError(file, `the model has no output "${output}" (outputs: ${session.outputNames.join(', ')})`);
  }
}

interface Towers {
  text: InferenceSession;
  vision: InferenceSession;
  /** Both towers are one session that needs both inputs on every run. */
  joint: boolean;
  textFile: string;
  visionFile: string;
}

/**
 * A CLIP model in Hugging Face's ONNX layout run by onnxruntime-node: `onnx/text_model.onnx` (`input_ids`
 * [batch, 77], optional `attention_mask`) -> `text_embeds`, and `onnx/vision_model.onnx` (`pixel_values`
 * [batch, 3, 224, 224]) -> `image_embeds`; or the joint `onnx/model.onnx` with both. The id dtype (int32 or int64)
 * is read from the session. Embeddings come back L2-normalised.
 */
export class OnnxClipEncoder implements ImageTextEncoder {
  private constructor(
    private readonly ort: OnnxRuntime,
    private readonly towers: Towers,
    private readonly tokenizer: TextTokenizer,
    /** The preprocessing in use. */
    readonly preprocessing: ImagePreprocessing,
    private scale: number,
    private readonly batchSize: number,
    private readonly maxLength: number,
    /** The model folder. */
    readonly directory: string,
  ) {}

  /** Loads from a local folder; prefer {@link loadClipEncoder}, which also takes repository ids. */
  static async fromDirectory(directory: string, options: ClipEncoderOptions = {}): Promise<OnnxClipEncoder> {
    const batchSize = options.batchSize ?? 16;
    const maxLength = options.maxLength ?? clipContextLength;
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new RewardError('batchSize', `expected a positive integer, got ${batchSize}`);
    }
    if (!Number.isInteger(maxLength) || maxLength <= 1) {
      throw new RewardError('maxLength', `expected an integer above 1, got ${maxLength}`);
    }
    const path = (file: string) => join(directory, file);
    const tokenizerFile = path(clipModelFiles.tokenizer);
    if (!(await exists(tokenizerFile)))
      throw new RewardError(tokenizerFile, 'missing: a CLIP folder needs tokenizer.json');
    const split = (await exists(path(clipModelFiles.textModel))) && (await exists(path(clipModelFiles.visionModel)));
    if (!split && !(await exists(path(clipModelFiles.jointModel)))) {
      const missing = (await exists(path(clipModelFiles.textModel)))
        ? clipModelFiles.visionModel
        : clipModelFiles.textModel;
      throw new RewardError(
        path(missing),
        `missing: a CLIP folder needs ${clipModelFiles.textModel} and ${clipModelFiles.visionModel}, or ${clipModelFiles.jointModel}`,
      );
    }
    const ort = await loadOnnxRuntime('the ONNX CLIP encoder');
    const lm = await loadLanguageModels('the CLIP tokenizer');
    const sessionOptions: InferenceSession.SessionOptions = { executionProviders: ['cpu'] };
    if (options.intraOpNumThreads !== undefined) sessionOptions.intraOpNumThreads = options.intraOpNumThreads;
    const open = async (file: string) => {
      try {
        return await ort.InferenceSession.create(path(file), sessionOptions);
      } catch (error) {
        throw new RewardError(path(file), `ONNX Runtime cannot load it: ${(error as Error).message}`);
      }
    };
    let towers: Towers;
    if (split) {
      towers = {
        text: await open(clipModelFiles.textModel),
        vision: await open(clipModelFiles.visionModel),
        joint: false,
        textFile: path(clipModelFiles.textModel),
        visionFile: path(clipModelFiles.visionModel),
      };
    } else {
      const session = await open(clipModelFiles.jointModel);
      const file = path(clipModelFiles.jointModel);
      towers = { text: session, vision: session, joint: true, textFile: file, visionFile: file };
    }
    idTypeOf(towers.text, 'input_ids', towers.textFile);
    if (!towers.vision.inputNames.includes('pixel_values')) {
      throw new RewardError(towers.visionFile, 'the model has no input "pixel_values"');
    }
    requireOutput(towers.text, 'text_embeds', towers.textFile);
    requireOutput(towers.vision, 'image_embeds', towers.visionFile);
    let tokenizer: TextTokenizer;
    try {
      tokenizer = await lm.loadTokenizer(directory);
    } catch (error) {
      throw new RewardError(tokenizerFile, (error as Error).message);
    }
    const config = await readJson(path(clipModelFiles.config));
    const preprocessing = {
      ...clipImagePreprocessing,
      ...preprocessingFrom(await readJson(path(clipModelFiles.preprocessor))),
      ...options.preprocessing,
    };
    const configuredScale = typeof config?.logit_scale === 'number' ? config.logit_scale : undefined;
    const encoder = new OnnxClipEncoder(
      ort,
      towers,
      tokenizer,
      preprocessing,
      options.logitScale ?? configuredScale ?? 100,
      batchSize,
      maxLength,
      directory,
    );
    if (options.logitScale === undefined && configuredScale === undefined && towers.joint) {
      encoder.logitScaleFromJointModel = true;
    }
    return encoder;
  }

  private logitScaleFromJointModel = false;
  private measuredScale: number | undefined;

  /** `exp(logit_scale)`; for a joint model without a configured scale, known after the first run. */
  get logitScale(): number {
    return this.scale;
  }

  private idTensor(ids: readonly number[], rows: number, session: InferenceSession, file: string): Tensor {
    const type = idTypeOf(session, 'input_ids', file);
    const data = type === 'int64' ? BigInt64Array.from(ids, (id) => BigInt(id)) : Int32Array.from(ids);
    return new this.ort.Tensor(type, data, [rows, ids.length / rows]);
  }

  private textFeeds(texts: readonly string[]): Record<string, Tensor> {
    const { text, textFile } = this.towers;
    const batch = tokenizeForClip(this.tokenizer, texts, this.maxLength);
    const feeds: Record<string, Tensor> = { input_ids: this.idTensor(batch.inputIds, texts.length, text, textFile) };
    if (text.inputNames.includes('attention_mask')) {
      feeds.attention_mask = this.idTensor(batch.attentionMask, texts.length, text, textFile);
    }
    return feeds;
  }

  private pixelFeeds(pixels: Float32Array, count: number): Record<string, Tensor> {
    const { cropSize } = this.preprocessing;
    return { pixel_values: new this.ort.Tensor('float32', pixels, [count, 3, cropSize, cropSize]) };
  }

  private async run(
    session: InferenceSession,
    feeds: Record<string, Tensor>,
    output: 'text_embeds' | 'image_embeds',
    rows: number,
    file: string,
    first: number,
  ): Promise<Float32Array[]> {
    const outputs = await session.run(feeds);
    const tensor = outputs[output]!;
    const width = tensor.dims.at(-1)!;
    if (tensor.dims.length !== 2 || tensor.dims[0] !== rows) {
      throw new RewardError(file, `${output} has shape [${tensor.dims.join(', ')}]; expected [${rows}, width]`);
    }
    const data = tensor.data as Float32Array;
    if (this.logitScaleFromJointModel && this.measuredScale === undefined && outputs.logits_per_text) {
      this.measureScale(outputs);
    }
    return Array.from({ length: rows }, (_, row) => {
      const vector = data.slice(row * width, (row + 1) * width);
      if (vector.some((value) => !Number.isFinite(value))) {
        throw new RewardError(file, `${output} of input ${first + row} is not finite (NaN or infinity)`);
      }
      return l2Normalize(vector);
    });
  }

  /** The joint model's logits are exp(logit_scale) * cos: divide by the cosine of its own embeddings. */
  private measureScale(outputs: InferenceSession.ReturnType): void {
    const text = outputs.text_embeds!.data as Float32Array;
    const image = outputs.image_embeds!.data as Float32Array;
    const width = outputs.text_embeds!.dims.at(-1)!;
    const left = l2Normalize(text.slice(0, width));
    const right = l2Normalize(image.slice(0, width));
    let cosine = 0;
    for (let index = 0; index < width; index++) cosine += left[index]! * right[index]!;
    const logit = Number((outputs.logits_per_text!.data as Float32Array)[0]);
    if (Math.abs(cosine) > 1e-3 && Number.isFinite(logit / cosine) && logit / cosine > 0) {
      this.measuredScale = logit / cosine;
      this.scale = this.measuredScale;
    }
  }

  async embedTexts(texts: readonly string[]): Promise<Float32Array[]> {
    texts.forEach((text, index) => {
      if (typeof text !== 'string') throw new RewardError(`texts[${index}]`, 'expected a string');
    });
    const result: Float32Array[] = [];
    for (let first = 0; first < texts.length; first += this.batchSize) {
      const chunk = texts.slice(first, first + this.batchSize);
      const feeds = this.textFeeds(chunk);
      if (this.towers.joint) {
        Object.assign(feeds, this.pixelFeeds(new Float32Array(3 * this.preprocessing.cropSize ** 2), 1));
      }
      result.push(
        ...(await this.run(this.towers.text, feeds, 'text_embeds', chunk.length, this.towers.textFile, first)),
      );
    }
    return result;
  }

  async embedImages(images: readonly RewardImage[]): Promise<Float32Array[]> {
    const result: Float32Array[] = [];
    for (let first = 0; first < images.length; first += this.batchSize) {
      const chunk = images.slice(first, first + this.batchSize);
      const pixels = await preprocessImages(chunk, this.preprocessing, 'images');
      const feeds = this.pixelFeeds(pixels, chunk.length);
      if (this.towers.joint) Object.assign(feeds, this.textFeeds(['']));
      result.push(
        ...(await this.run(this.towers.vision, feeds, 'image_embeds', chunk.length, this.towers.visionFile, first)),
      );
    }
    return result;
  }

  /** Releases the ONNX Runtime sessions. */
  async release(): Promise<void> {
    await this.towers.text.release();
    if (!this.towers.joint) await this.towers.vision.release();
  }
}

const isDirectory = (path: string) =>
  stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );

/**
 * Loads a CLIP model in Hugging Face's ONNX layout from a local folder or a hub repository id (downloaded with its
 * `onnx/` folder through @diffchat/lm's `resolveModel`, into the Hugging Face cache).
 *
 * @throws {@link RewardError} naming the missing or unreadable file; `MissingDependencyError` when
 * onnxruntime-node, sharp or @diffchat/lm is not installed.
 */
export async function loadClipEncoder(source: string, options: ClipEncoderOptions = {}): Promise<OnnxClipEncoder> {
  let directory = source;
  if (!(await isDirectory(source))) {
    const lm = await loadLanguageModels('loading a CLIP model by repository id');
    directory = await lm.resolveModel(source, { ...options.hub, includeOnnx: true });
  }
  return OnnxClipEncoder.fromDirectory(directory, options);
}
