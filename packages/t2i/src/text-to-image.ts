/** Parameters of one text-to-image request; every backend accepts these and ignores what it cannot honour. */
export interface GenerateRequest {
  /** The prompt to render. */
  prompt: string;
  /** Things to keep out of the image; backends without negative prompts ignore it. */
  negativePrompt?: string;
  /** Seed of the first image; image i of a batch uses seed + i. Omitted: the backend picks one and reports it. */
  seed?: number;
  /** Width in pixels (default 512, the sketch renderer's default is 256). */
  width?: number;
  /** Height in pixels. */
  height?: number;
  /** Denoising steps, for diffusion backends. */
  steps?: number;
  /** Classifier-free guidance scale, for diffusion backends. */
  guidance?: number;
  /** Number of images (default 1). */
  n?: number;
}

/** One rendered image. */
export interface GeneratedImage {
  /** PNG file bytes. */
  png: Uint8Array;
  width: number;
  height: number;
  /** The seed that produced this image, as the backend reports it; -1 when the backend cannot tell (OpenAI). */
  seed: number;
  /** Whatever else the backend reports (sampler, model, unknown words, timings...). */
  metadata: Record<string, unknown>;
}

/** Options of one call. */
export interface GenerateOptions {
  /** Cancels the request; the promise rejects with an AbortError. */
  signal?: AbortSignal;
}

/** A text-to-image backend. Implementations: AUTOMATIC1111, ComfyUI, OpenAI-compatible, ONNX Stable Diffusion, sketch. */
export interface TextToImage {
  /** Stable identifier of the backend and its settings, e.g. `a1111:http://127.0.0.1:7860`; part of the render-cache key. */
  readonly id: string;
  /** Renders `request.n` images of one prompt. */
  generate(request: GenerateRequest, options?: GenerateOptions): Promise<GeneratedImage[]>;
}
