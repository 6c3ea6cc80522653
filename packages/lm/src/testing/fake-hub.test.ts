import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadFile, listFiles, snapshotDownload } from '@huggingface/hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeHub, startFakeHub } from './fake-hub';

describe('startFakeHub with @huggingface/hub', () => {
  let hub: FakeHub;
  let cacheDir: string;
  const weights = new Uint8Array(3000).map((_, index) => index % 251);
  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'lm-fake-hub-'));
    hub = await startFakeHub({
      gpt2: { revisions: { main: { 'config.json': '{"model_type":"gpt2"}' } } },
      'owner/name': {
        revisions: { main: { 'config.json': '{}', 'model.safetensors': weights, 'onnx/model.onnx': 'graph' } },
      },
    });
  });
  afterAll(async () => {
    await hub.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('serves a whole snapshot, nested folders included', async () => {
    const folder = await snapshotDownload({ repo: 'owner/name', hubUrl: hub.url, cacheDir });
    expect(folder.endsWith(hub.commitOf('owner/name', 'main'))).toBe(true);
    expect(new Uint8Array(await readFile(join(folder, 'model.safetensors')))).toEqual(weights);
    expect(await readFile(join(folder, 'onnx', 'model.onnx'), 'utf8')).toBe('graph');
  });

  it('lists files and serves byte ranges and single-segment repository names', async () => {
    const listed: string[] = [];
    for await (const entry of listFiles({ repo: 'owner/name', hubUrl: hub.url, recursive: true }))
      listed.push(entry.path);
    expect(listed.sort()).toEqual(['config.json', 'model.safetensors', 'onnx/model.onnx']);
    const blob = await downloadFile({ repo: 'owner/name', path: 'model.safetensors', hubUrl: hub.url });
    expect(new Uint8Array(await blob!.slice(10, 20).arrayBuffer())).toEqual(weights.slice(10, 20));
    const legacy = await downloadFile({ repo: 'gpt2', path: 'config.json', hubUrl: hub.url });
    expect(await legacy!.text()).toBe('{"model_type":"gpt2"}');
  });

  it('answers 404 for a missing file, as the hub does', async () => {
    expect(await downloadFile({ repo: 'owner/name', path: 'absent.json', hubUrl: hub.url })).toBeNull();
  });
});
