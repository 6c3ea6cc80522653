import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ComfyWorkflowError,
  checkComfyMapping,
  defaultComfyMapping,
  defaultComfyWorkflow,
  fillComfyWorkflow,
  loadComfyWorkflow,
  parseComfyWorkflow,
} from './comfyui-workflow';

describe('ComfyUI workflows', () => {
  it('reads an API-format file back', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'comfy-'));
    const path = join(folder, 'workflow_api.json');
    await writeFile(path, JSON.stringify(defaultComfyWorkflow));
    expect(await loadComfyWorkflow(path)).toEqual(defaultComfyWorkflow);
  });

  it('checks the default mapping against the default workflow', () => {
    expect(() => checkComfyMapping(defaultComfyWorkflow, defaultComfyMapping)).not.toThrow();
  });

  it('names the file and node of a broken workflow and refuses the UI format', () => {
    expect(() => parseComfyWorkflow('{"3": {"inputs": {}}}', 'w.json')).toThrow(
      'w.json: node "3" has no string "class_type"',
    );
    expect(() => parseComfyWorkflow('{"nodes": [], "links": []}', 'ui.json')).toThrow(/UI format.*Save \(API\)/);
    expect(() => parseComfyWorkflow('{}', 'e.json')).toThrow('e.json: the workflow has no nodes');
  });

  it('writes only mapped inputs and leaves the template alone', () => {
    const filled = fillComfyWorkflow(defaultComfyWorkflow, defaultComfyMapping, {
      prompt: 'p',
      negativePrompt: 'n',
      seed: 5,
      width: 64,
    });
    expect(filled['5']!.inputs).toEqual({ width: 64, height: 512, batch_size: 1 });
    expect(filled['3']!.inputs.steps).toBe(20);
    expect(defaultComfyWorkflow['6']!.inputs.text).toBe('');
  });

  it('parses or fails with ComfyWorkflowError on random, truncated and mistyped input', () => {
    const node = fc.record({
      class_type: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
      inputs: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.array(fc.integer()), fc.string()),
    });
    const workflowText = fc
      .dictionary(fc.string(), fc.oneof(node, fc.jsonValue()))
      .map((value) => JSON.stringify(value));
    const inputs = fc.oneof(
      fc.string(),
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('utf8')),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      workflowText,
      workflowText.chain((text) => fc.nat(text.length).map((cut) => text.slice(0, cut))),
    );
    fc.assert(
      fc.property(inputs, (text) => {
        try {
          const workflow = parseComfyWorkflow(text);
          for (const value of Object.values(workflow)) expect(typeof value.class_type).toBe('string');
        } catch (error) {
          expect(error).toBeInstanceOf(ComfyWorkflowError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
