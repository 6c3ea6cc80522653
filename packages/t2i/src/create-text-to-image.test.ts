import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeTinyStableDiffusion } from '../test/tiny-stable-diffusion';
import { Automatic1111TextToImage } from './automatic1111-backend';
import { ModelFolderError } from './clip-tokenizer';
import { ComfyUiTextToImage } from './comfyui-backend';
import { defaultComfyWorkflow } from './comfyui-workflow';
import { createTextToImage, TextToImageSpecError } from './create-text-to-image';
import { OnnxStableDiffusion } from './onnx-stable-diffusion';
import { OpenAiImagesTextToImage } from './openai-images-backend';
import { readPngSize } from './png-header';
import { SketchTextToImage } from './sketch/index';
import { FakeAutomatic1111Server } from './testing/index';

let server: FakeAutomatic1111Server | undefined;
afterEach(() => server?.close());

describe('createTextToImage', () => {
  it('builds each HTTP backend from its spec', async () => {
    expect(await createTextToImage('a1111:http://127.0.0.1:7860/')).toBeInstanceOf(Automatic1111TextToImage);
    expect(await createTextToImage('comfyui:http://127.0.0.1:8188')).toBeInstanceOf(ComfyUiTextToImage);
    const openai = await createTextToImage('openai:https://api.example.com/v1', { model: 'm' });
    expect(openai).toBeInstanceOf(OpenAiImagesTextToImage);
    expect(openai.id).toBe('openai:https://api.example.com/v1#m');
  });

  it('loads a ComfyUI workflow file named in the options', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'spec-')), 'workflow.json');
    await writeFile(path, JSON.stringify(defaultComfyWorkflow));
    const backend = await createTextToImage('comfyui:http://127.0.0.1:8188', { workflow: path });
    expect(backend).toBeInstanceOf(ComfyUiTextToImage);
    await writeFile(path, '{"nodes": []}');
    await expect(createTextToImage('comfyui:http://127.0.0.1:8188', { workflow: path })).rejects.toThrow(path);
  });

  it('loads an ONNX Stable Diffusion folder', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'spec-sd-'));
    await writeTinyStableDiffusion(folder);
    const backend = await createTextToImage(`onnx-sd:${folder}`, { onnx: { scheduler: 'ddim', intraOpNumThreads: 1 } });
    expect(backend).toBeInstanceOf(OnnxStableDiffusion);
    expect(backend.id).toBe(`onnx-sd:${folder}#ddim`);
    await (backend as OnnxStableDiffusion).release();
    await expect(createTextToImage('onnx-sd:')).rejects.toThrow('onnx-sd needs a folder');
    await expect(createTextToImage(`onnx-sd:${join(folder, 'missing')}`)).rejects.toThrow(ModelFolderError);
  });

  it('builds the embedded sketch renderer', async () => {
    const backend = await createTextToImage('sketch');
    expect(backend).toBeInstanceOf(SketchTextToImage);
    const [image] = await backend.generate({ prompt: 'a red fox', seed: 1, width: 32, height: 32 });
    expect(readPngSize(image!.png)).toEqual({ width: 32, height: 32 });
    await expect(createTextToImage('sketch:fast')).rejects.toThrow('sketch takes no argument');
  });

  it('names the bad spec', async () => {
    await expect(createTextToImage('dalle:http://x')).rejects.toThrow(
      'invalid text-to-image spec "dalle:http://x": unknown backend "dalle"',
    );
    await expect(createTextToImage('a1111:localhost')).rejects.toThrow(TextToImageSpecError);
    await expect(createTextToImage('a1111:not a url')).rejects.toThrow('"not a url" is not a URL');
    await expect(createTextToImage('openai:ftp://host/v1')).rejects.toThrow(/must start with http/);
    await expect(createTextToImage('')).rejects.toThrow(/unknown backend ""/);
  });

  it('wraps the backend in a render cache when asked', async () => {
    server = await new FakeAutomatic1111Server().start();
    const dir = await mkdtemp(join(tmpdir(), 'spec-cache-'));
    const backend = await createTextToImage(`a1111:${server.url}`, { cacheDir: dir });
    const request = { prompt: 'x', seed: 1, width: 8, height: 8 };
    const first = await backend.generate(request);
    const second = await backend.generate(request);
    expect(second).toEqual(first);
    expect(server.requests).toHaveLength(1);
  });
});
