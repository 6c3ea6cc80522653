import { mkdtemp, readdir, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubCacheDirectory, loadModelDirectory, ModelNotAvailableError, resolveModel } from './hub';
import { type FakeHub, type FakeHubFiles, startFakeHub } from './testing/fake-hub';
import { saveTinyModel } from './testing/tiny-model';

let root: string;
let files: Record<string, Uint8Array>;
let filesV2: Record<string, Uint8Array>;

async function directoryFiles(directory: string): Promise<Record<string, Uint8Array>> {
  const result: Record<string, Uint8Array> = {};
  for (const entry of await readdir(directory, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    result[path.slice(directory.length + 1)] = await readFile(path);
  }
  return result;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lm-hub-'));
  await saveTinyModel(join(root, 'model-v1'), { seed: 1 });
  await saveTinyModel(join(root, 'model-v2'), { seed: 2, layers: 1 });
  files = await directoryFiles(join(root, 'model-v1'));
  filesV2 = await directoryFiles(join(root, 'model-v2'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const withExtras = (model: FakeHubFiles): FakeHubFiles => ({
  ...model,
  'pytorch_model.bin': new Uint8Array(1000),
  'README.md': '# tiny',
  'onnx/model.onnx': new Uint8Array([1, 2, 3]),
});

describe('resolveModel with a fake hub', () => {
  let hub: FakeHub;
  let cacheDir: string;
  beforeAll(async () => {
    cacheDir = join(root, 'cache');
    hub = await startFakeHub({
      'tiny/gpt2': { revisions: { main: withExtras(files), v2: filesV2 } },
      'tiny/private': { revisions: { main: files }, accessToken: 'hf_secret' },
    });
  });
  afterAll(async () => {
    await hub.close();
  });

  it('downloads only what a model needs into the Python cache layout', async () => {
    const commit = hub.commitOf('tiny/gpt2', 'main');
    const folder = await resolveModel('tiny/gpt2', { hubUrl: hub.url, cacheDir, env: {} });
    const storage = join(cacheDir, 'models--tiny--gpt2');
    expect(folder).toBe(join(storage, 'snapshots', commit));
    expect(await readFile(join(storage, 'refs', 'main'), 'utf8')).toBe(commit);
    expect((await readdir(folder)).sort()).toEqual([
      'config.json',
      'generation_config.json',
      'model.safetensors',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    // Snapshot entries are links into blobs/, as in huggingface_hub.
    expect(await realpath(join(folder, 'config.json'))).toContain(join(storage, 'blobs'));
    expect(new Uint8Array(await readFile(join(folder, 'model.safetensors')))).toEqual(
      new Uint8Array(files['model.safetensors']!),
    );
    const model = await loadModelDirectory(folder);
    expect(model.config.model_type).toBe('gpt2');
  });

  it('fetches onnx/ on request', async () => {
    const folder = await resolveModel('tiny/gpt2', { hubUrl: hub.url, cacheDir, env: {}, includeOnnx: true });
    expect(await readdir(join(folder, 'onnx'))).toEqual(['model.onnx']);
  });

  it('resolves a tag and a commit id to their own snapshots', async () => {
    const folder = await resolveModel('tiny/gpt2', { hubUrl: hub.url, cacheDir, revision: 'v2', env: {} });
    expect(folder.endsWith(hub.commitOf('tiny/gpt2', 'v2'))).toBe(true);
    const model = await loadModelDirectory(folder);
    expect(model.config.n_layer).toBe(1);
    const byCommit = await resolveModel('tiny/gpt2', {
      hubUrl: hub.url,
      cacheDir,
      revision: hub.commitOf('tiny/gpt2', 'main'),
      env: {},
    });
    expect((await loadModelDirectory(byCommit)).config.n_layer).toBe(2);
  });

  it('reports a missing repository, revision or weights clearly', async () => {
    const options = { hubUrl: hub.url, cacheDir, env: {} };
    await expect(resolveModel('tiny/absent', options)).rejects.toThrow(
      /model tiny\/absent at revision main not found on http:\/\/127.0.0.1:\d+: Repository not found/,
    );
    await expect(resolveModel('tiny/gpt2', { ...options, revision: 'nope' })).rejects.toThrow(
      /revision nope not found.*Invalid rev id: nope/,
    );
    await expect(resolveModel('tiny/absent', options)).rejects.toBeInstanceOf(ModelNotAvailableError);
  });

  it('sends the access token from the option or from HF_TOKEN, and explains a refusal', async () => {
    const options = { hubUrl: hub.url, cacheDir };
    await expect(resolveModel('tiny/private', { ...options, env: {} })).rejects.toThrow(
      /access to tiny\/private .* was denied \(401\).*HF_TOKEN/,
    );
    const before = hub.requests.length;
    await resolveModel('tiny/private', { ...options, accessToken: 'hf_secret', env: {} });
    const sent = hub.requests.slice(before);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((request) => request.authorization === 'Bearer hf_secret')).toBe(true);
    await expect(resolveModel('tiny/private', { ...options, env: { HF_TOKEN: 'hf_secret' } })).resolves.toContain(
      'models--tiny--private',
    );
    await expect(resolveModel('tiny/private', { ...options, accessToken: 'secret', env: {} })).rejects.toThrow(
      /must start with "hf_"/,
    );
  });

  it('makes no request in offline mode (option or HF_HUB_OFFLINE)', async () => {
    const before = hub.requests.length;
    const folder = await resolveModel('tiny/gpt2', { cacheDir, env: { HF_HUB_OFFLINE: '1' } });
    expect(folder).toBe(join(cacheDir, 'models--tiny--gpt2', 'snapshots', hub.commitOf('tiny/gpt2', 'main')));
    await expect(
      resolveModel('tiny/gpt2', { cacheDir, offline: true, revision: 'never-seen', env: {} }),
    ).rejects.toThrow(/tiny\/gpt2@never-seen is not in the hub cache .* offline mode is on/);
    expect(hub.requests.length).toBe(before);
  });
});

describe('resolveModel when the hub is gone', () => {
  it('serves a model downloaded once from the cache', async () => {
    const cacheDir = join(root, 'cache-gone');
    const hub = await startFakeHub({ 'owner/model': { revisions: { main: files, v2: filesV2 } } });
    const online = await resolveModel('owner/model', { hubUrl: hub.url, cacheDir, env: {} });
    await resolveModel('owner/model', { hubUrl: hub.url, cacheDir, revision: 'v2', env: {} });
    const commitV2 = hub.commitOf('owner/model', 'v2');
    await hub.close();
    const options = { hubUrl: hub.url, cacheDir, env: {} };
    expect(await resolveModel('owner/model', options)).toBe(online);
    expect(await resolveModel('owner/model', { ...options, revision: 'v2' })).toContain(commitV2);
    expect((await loadModelDirectory('owner/model', options)).config.n_layer).toBe(2);
    await expect(resolveModel('owner/other', options)).rejects.toThrow(/not in the hub cache .* is unreachable/);
  });

  it('uses the given fetch and falls back to the cache when the hub answers 5xx', async () => {
    const cacheDir = join(root, 'cache-fetch');
    const hub = await startFakeHub({ 'owner/model': { revisions: { main: files } } });
    let calls = 0;
    let failing = false;
    const countingFetch: typeof fetch = async (input, init) => {
      calls += 1;
      if (failing) return new Response('busy', { status: 503 });
      return fetch(input, init);
    };
    const online = await resolveModel('owner/model', { hubUrl: hub.url, cacheDir, fetch: countingFetch, env: {} });
    expect(calls).toBeGreaterThan(0);
    failing = true;
    expect(await resolveModel('owner/model', { hubUrl: hub.url, cacheDir, fetch: countingFetch, env: {} })).toBe(
      online,
    );
    await hub.close();
  });

  it('finds the cache through HF_HUB_CACHE and HF_HOME', async () => {
    expect(hubCacheDirectory({ env: { HF_HUB_CACHE: '/x/hub-cache', HF_HOME: '/y' } })).toBe('/x/hub-cache');
    expect(hubCacheDirectory({ env: { HF_HOME: '/y' } })).toBe('/y/hub');
    expect(hubCacheDirectory({ env: { XDG_CACHE_HOME: '/z' } })).toBe('/z/huggingface/hub');
    const cacheDir = join(root, 'cache-env');
    const hub = await startFakeHub({ 'owner/model': { revisions: { main: files } } });
    const folder = await resolveModel('owner/model', { hubUrl: hub.url, env: { HF_HUB_CACHE: cacheDir } });
    await hub.close();
    expect(folder.startsWith(cacheDir)).toBe(true);
  });
});

describe('resolveModel with sharded weights', () => {
  it('downloads the index and every shard it names', async () => {
    const { 'model.safetensors': _single, ...rest } = files;
    const index = {
      weight_map: {
        'transformer.wte.weight': 'model-00001-of-00002.safetensors',
        'transformer.wpe.weight': 'model-00002-of-00002.safetensors',
      },
    };
    const hub = await startFakeHub({
      'owner/sharded': {
        revisions: {
          main: {
            ...rest,
            'model.safetensors.index.json': JSON.stringify(index),
            'model-00001-of-00002.safetensors': new Uint8Array([1]),
            'model-00002-of-00002.safetensors': new Uint8Array([2]),
            'model-00003-of-00002.safetensors': new Uint8Array([3]),
          },
        },
      },
    });
    const folder = await resolveModel('owner/sharded', {
      hubUrl: hub.url,
      cacheDir: join(root, 'cache-sharded'),
      env: {},
    });
    await hub.close();
    expect((await readdir(folder)).filter((name) => name.includes('safetensors')).sort()).toEqual([
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
      'model.safetensors.index.json',
    ]);
  });
});

describe('resolveModel with local paths', () => {
  it('returns local directories and rejects missing ones', async () => {
    expect(await resolveModel(join(root, 'model-v1'))).toBe(join(root, 'model-v1'));
    await expect(resolveModel('./does-not-exist')).rejects.toThrow(/local model directory .*does-not-exist not found/);
    await expect(resolveModel('not a repo id!')).rejects.toThrow(/neither an existing directory nor a repository id/);
  });
});
