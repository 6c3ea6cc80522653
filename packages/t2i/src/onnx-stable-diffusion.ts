import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import * as ort from 'onnxruntime-node';
import { type ClipTokenizer, loadClipTokenizer, ModelFolderError } from './clip-tokenizer';
import { createScheduler, type SchedulerName } from './diffusion-scheduler';
import { latentNoise } from './latent-noise';
import { parseSchedulerConfig, type SchedulerConfig, stableDiffusionSchedulerConfig } from './scheduler-config';
import type { GeneratedImage, GenerateOptions, GenerateRequest, TextToImage } from './text-to-image';

/** Settings of the in-process ONNX Stable Diffusion backend. */
export interface OnnxStableDiffusionOptions {
  /** Folder in the layout optimum exports: text_encoder/, unet/, vae_decoder/, tokenizer/, scheduler/. */
  folder: string;
  /** Sampler (default `euler-discrete`). */
  scheduler?: SchedulerName;
  /** ONNX Runtime execution providers, in order of preference (default `['cpu']`). */
  executionProviders?: string[];
  /** Threads of one operator (ONNX Runtime's default when unset: all cores). */
  intraOpNumThreads?: number;
  /** Steps when a request gives none (default 25). */
  defaultSteps?: number;
  /** Guidance scale when a request gives none (default 7.5); at most 1 turns classifier-free guidance off. */
  defaultGuidance?: number;
}

/** SD's VAE latents are the VAE posterior scaled by this factor (SD 1.x and 2.x). */
const latentScale = 0.18215;
/** The VAE shrinks each side by 8 into 4 latent channels. */
const vaeFactor = 8;
const latentChannels = 4;

/** Wall time of the parts of one `generate` call, in milliseconds. */
export interface StableDiffusionTimings {
  textEncoderMs: number;
  /** Time inside the UNet's `session.run`, summed over steps. */
  unetMs: number;
  /** Time of the whole denoising loop (UNet runs plus guidance, scheduler and tensor copies). */
  loopMs: number;
  vaeMs: number;
  steps: number;
}

async function openSession(path: string, options: OnnxStableDiffusionOptions): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(path, {
      executionProviders: options.executionProviders ?? ['cpu'],
      graphOptimizationLevel: 'all',
      ...(options.intraOpNumThreads ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
    });
  } catch (error) {
    throw new ModelFolderError(`${path}: cannot load the ONNX model (${(error as Error).message})`);
  }
}

function metadataOf(session: ort.InferenceSession, name: string, path: string) {
  const entry = session.inputMetadata.find((input) => input.name === name);
  if (!entry?.isTensor) throw new ModelFolderError(`${path}: the model has no tensor input "${name}"`);
  return entry;
}

/**
 * Stable Diffusion 1.x/2.x in process on onnxruntime-node: CLIP text encoder, UNet with classifier-free guidance
 * (uncond and cond rows in one batch), the DDIM or Euler-discrete sampler written in this package, and the VAE
 * decoder. Image i of a request starts from the latent noise of seed + i.
 */
export class OnnxStableDiffusion implements TextToImage {
  readonly id: string;
  /** Timings of the latest `generate` call. */
  lastTimings: StableDiffusionTimings | undefined;

  private constructor(
    private readonly options: OnnxStableDiffusionOptions,
    private readonly tokenizer: ClipTokenizer,
    private readonly schedulerConfig: SchedulerConfig,
    private readonly textEncoder: ort.InferenceSession,
    private readonly unet: ort.InferenceSession,
    private readonly vaeDecoder: ort.InferenceSession,
  ) {
    this.id = `onnx-sd:${resolve(options.folder)}#${options.scheduler ?? 'euler-discrete'}`;
  }

  /**
   * Opens the three ONNX sessions and reads the tokenizer and scheduler config.
   * @throws ModelFolderError naming the file that is missing or unusable
   */
  static async load(options: OnnxStableDiffusionOptions): Promise<OnnxStableDiffusion> {
    const folder = options.folder;
    const schedulerPath = join(folder, 'scheduler', 'scheduler_config.json');
    let schedulerConfig = stableDiffusionSchedulerConfig;
    try {
      schedulerConfig = parseSchedulerConfig(await readFile(schedulerPath, 'utf8'), schedulerPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const textEncoderPath = join(folder, 'text_encoder', 'model.onnx');
    const [textEncoder, unet, vaeDecoder] = await Promise.all([
      openSession(textEncoderPath, options),
      openSession(join(folder, 'unet', 'model.onnx'), options),
      openSession(join(folder, 'vae_decoder', 'model.onnx'), options),
    ]);
    const declared = metadataOf(textEncoder, 'input_ids', textEncoderPath);
    const length = declared.isTensor && typeof declared.shape[1] === 'number' ? declared.shape[1] : undefined;
    const tokenizer = await loadClipTokenizer(join(folder, 'tokenizer'), length);
    return new OnnxStableDiffusion(options, tokenizer, schedulerConfig, textEncoder, unet, vaeDecoder);
  }

  /** Frees the ONNX Runtime sessions. */
  async release(): Promise<void> {
    await Promise.all([this.textEncoder.release(), this.unet.release(), this.vaeDecoder.release()]);
  }

  async generate(request: GenerateRequest, options: GenerateOptions = {}): Promise<GeneratedImage[]> {
    const signal = options.signal;
    signal?.throwIfAborted();
    const width = request.width ?? 512;
    const height = request.height ?? 512;
    if (width % vaeFactor !== 0 || height % vaeFactor !== 0 || width <= 0 || height <= 0) {
      throw new RangeError(`onnx-sd: width and height must be positive multiples of 8, got ${width}x${height}`);
    }
    const count = request.n ?? 1;
    const steps = request.steps ?? this.options.defaultSteps ?? 25;
    const guidance = request.guidance ?? this.options.defaultGuidance ?? 7.5;
    const guided = guidance > 1;
    const firstSeed = request.seed ?? Math.floor(Math.random() * 2 ** 31);
    const timings: StableDiffusionTimings = { textEncoderMs: 0, unetMs: 0, loopMs: 0, vaeMs: 0, steps };

    // 1. text embeddings, uncond row first: [2 or 1, 77, hidden]
    let started = performance.now();
    const embeddings = await this.encodeText(
      guided ? [request.negativePrompt ?? '', request.prompt] : [request.prompt],
    );
    timings.textEncoderMs = performance.now() - started;
    const [, sequence, hidden] = embeddings.dims as [number, number, number];
    const rowSize = sequence * hidden;
    const rows = guided ? 2 * count : count;
    // [uncond × n; cond × n] so that one UNet run covers both halves of the guidance
    const conditioning = new Float32Array(rows * rowSize);
    const embeddingData = embeddings.data as Float32Array;
    for (let row = 0; row < rows; row++) {
      const source = guided && row >= count ? 1 : 0;
      conditioning.set(embeddingData.subarray(source * rowSize, (source + 1) * rowSize), row * rowSize);
    }
    const conditioningTensor = new ort.Tensor('float32', conditioning, [rows, sequence, hidden]);

    // 2. starting latents [n, 4, h/8, w/8]
    const latentHeight = height / vaeFactor;
    const latentWidth = width / vaeFactor;
    const imageSize = latentChannels * latentHeight * latentWidth;
    const scheduler = createScheduler(this.options.scheduler ?? 'euler-discrete', this.schedulerConfig, steps);
    let latents: Float32Array = new Float32Array(count * imageSize);
    for (let image = 0; image < count; image++) {
      const noise = latentNoise(firstSeed + image, imageSize);
      for (let index = 0; index < imageSize; index++) {
        latents[image * imageSize + index] = noise[index]! * scheduler.initNoiseSigma;
      }
    }

    // 3. denoising loop
    const timestepInput = metadataOf(this.unet, 'timestep', 'unet/model.onnx');
    const timestepType = timestepInput.isTensor ? timestepInput.type : 'float32';
    const timestepLength =
      timestepInput.isTensor && typeof timestepInput.shape[0] === 'number' ? timestepInput.shape[0] : 1;
    const loopStart = performance.now();
    const modelInput = new Float32Array(rows * imageSize);
    const guidedNoise = new Float32Array(count * imageSize);
    for (let step = 0; step < scheduler.timesteps.length; step++) {
      signal?.throwIfAborted();
      const scaled = scheduler.scaleModelInput(latents, step);
      modelInput.set(scaled, 0);
      if (guided) modelInput.set(scaled, count * imageSize);
      const feeds = {
        sample: new ort.Tensor('float32', modelInput, [rows, latentChannels, latentHeight, latentWidth]),
        timestep: timestepTensor(timestepType, scheduler.timesteps[step]!, timestepLength),
        encoder_hidden_states: conditioningTensor,
      };
      started = performance.now();
      const outputs = await this.unet.run(feeds);
      timings.unetMs += performance.now() - started;
      const prediction = outputs.out_sample?.data as Float32Array | undefined;
      if (!prediction) throw new ModelFolderError('unet/model.onnx: the model has no output "out_sample"');
      let noise: Float32Array = prediction;
      if (guided) {
        noise = guidedNoise;
        const half = count * imageSize;
        for (let index = 0; index < half; index++) {
          const unconditional = prediction[index]!;
          noise[index] = unconditional + guidance * (prediction[half + index]! - unconditional);
        }
      }
      latents = scheduler.step(noise, step, latents);
    }
    timings.loopMs = performance.now() - loopStart;

    // 4. decode [n, 3, H, W] in [-1, 1]
    signal?.throwIfAborted();
    const scaledLatents = new Float32Array(latents.length);
    for (let index = 0; index < latents.length; index++) scaledLatents[index] = latents[index]! / latentScale;
    started = performance.now();
    const decoded = await this.vaeDecoder.run({
      latent_sample: new ort.Tensor('float32', scaledLatents, [count, latentChannels, latentHeight, latentWidth]),
    });
    timings.vaeMs = performance.now() - started;
    const pixels = decoded.sample;
    if (!pixels) throw new ModelFolderError('vae_decoder/model.onnx: the model has no output "sample"');
    const [, channels, outputHeight, outputWidth] = pixels.dims as [number, number, number, number];
    if (channels !== 3) throw new ModelFolderError(`vae_decoder/model.onnx: expected 3 channels, got ${channels}`);
    this.lastTimings = timings;
    return Array.from({ length: count }, (_, image) => ({
      png: encodePng(pixels.data as Float32Array, image, outputWidth, outputHeight),
      width: outputWidth,
      height: outputHeight,
      seed: firstSeed + image,
      metadata: {
        backend: 'onnx-sd',
        scheduler: this.options.scheduler ?? 'euler-discrete',
        steps,
        guidance,
        timings,
      },
    }));
  }

  private async encodeText(texts: string[]): Promise<ort.Tensor> {
    const input = metadataOf(this.textEncoder, 'input_ids', 'text_encoder/model.onnx');
    const length = this.tokenizer.length;
    const ids = texts.flatMap((text) => this.tokenizer.encode(text));
    const tensor =
      input.isTensor && input.type === 'int64'
        ? new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [texts.length, length])
        : new ort.Tensor('int32', Int32Array.from(ids), [texts.length, length]);
    const outputs = await this.textEncoder.run({ input_ids: tensor });
    const hidden = outputs.last_hidden_state;
    if (!hidden) throw new ModelFolderError('text_encoder/model.onnx: the model has no output "last_hidden_state"');
    return hidden;
  }
}

/**
 * The timestep in the dtype the UNet declares (exports differ: int64, float32; float16 is not supported here).
 * Integer types truncate, as numpy's cast in diffusers' ONNX pipeline does with Euler's fractional timesteps.
 */
function timestepTensor(type: string, timestep: number, length: number): ort.Tensor {
  if (type === 'int64')
    return new ort.Tensor('int64', new BigInt64Array(length).fill(BigInt(Math.trunc(timestep))), [length]);
  if (type === 'int32') return new ort.Tensor('int32', new Int32Array(length).fill(Math.trunc(timestep)), [length]);
  if (type === 'float32') return new ort.Tensor('float32', new Float32Array(length).fill(timestep), [length]);
  if (type === 'float64') return new ort.Tensor('float64', new Float64Array(length).fill(timestep), [length]);
  throw new ModelFolderError(`unet/model.onnx: timestep of type ${type} is not supported`);
}

/** Image `image` of a [n, 3, H, W] batch in [-1, 1] as PNG bytes. */
function encodePng(data: Float32Array, image: number, width: number, height: number): Uint8Array {
  const plane = width * height;
  const offset = image * 3 * plane;
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  const pixels = context.createImageData(width, height);
  for (let index = 0; index < plane; index++) {
    for (let channel = 0; channel < 3; channel++) {
      const value = data[offset + channel * plane + index]! / 2 + 0.5;
      pixels.data[index * 4 + channel] = Math.round(Math.min(1, Math.max(0, value)) * 255);
    }
    pixels.data[index * 4 + 3] = 255;
  }
  context.putImageData(pixels, 0, 0);
  return new Uint8Array(canvas.toBuffer('image/png'));
}
