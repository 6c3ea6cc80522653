import { readFile } from 'node:fs/promises';

/** One node of a ComfyUI workflow in API format: `inputs` hold literals or `[nodeId, outputIndex]` links. */
export interface ComfyNode {
  class_type: string;
  inputs: Record<string, unknown>;
  _meta?: Record<string, unknown>;
}

/** A ComfyUI workflow in API format (the "Save (API)" export): node id -> node. */
export type ComfyWorkflow = Record<string, ComfyNode>;

/**
 * Where each request field goes in a workflow, as `"<node id>.<input name>"`. Fields left out are not set; `prompt`
 * is required.
 */
export interface ComfyWorkflowMapping {
  prompt: string;
  negativePrompt?: string;
  seed?: string;
  steps?: string;
  guidance?: string;
  width?: string;
  height?: string;
  /** Batch size input; the backend always renders one image per queued prompt, so it is set to 1. */
  batchSize?: string;
}

/**
 * The stock SD txt2img graph, numbered as ComfyUI's default workflow: checkpoint (4), positive (6) and negative (7)
 * text encoders, empty latent (5), KSampler (3), VAE decode (8), save (9). The checkpoint name is a placeholder:
 * set it with the backend's `checkpoint` option.
 */
export const defaultComfyWorkflow: ComfyWorkflow = {
  '3': {
    class_type: 'KSampler',
    inputs: {
      seed: 0,
      steps: 20,
      cfg: 7,
      sampler_name: 'euler',
      scheduler: 'normal',
      denoise: 1,
      model: ['4', 0],
      positive: ['6', 0],
      negative: ['7', 0],
      latent_image: ['5', 0],
    },
  },
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
  '5': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 512, batch_size: 1 } },
  '6': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['4', 1] } },
  '7': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['4', 1] } },
  '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
  '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'diffchat', images: ['8', 0] } },
};

/** The mapping of {@link defaultComfyWorkflow}. */
export const defaultComfyMapping: ComfyWorkflowMapping = {
  prompt: '6.text',
  negativePrompt: '7.text',
  seed: '3.seed',
  steps: '3.steps',
  guidance: '3.cfg',
  width: '5.width',
  height: '5.height',
  batchSize: '5.batch_size',
};

/** Thrown for a workflow or mapping that cannot be used; the message names the file and the node or field. */
export class ComfyWorkflowError extends Error {
  override readonly name = 'ComfyWorkflowError';
}

/**
 * Validates a workflow in API format. The web UI's own save format (with a `nodes` list) is refused with a hint.
 * @param source - file name for error messages
 */
export function parseComfyWorkflow(text: string, source = 'workflow'): ComfyWorkflow {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ComfyWorkflowError(`${source}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ComfyWorkflowError(`${source}: expected a JSON object of nodes`);
  }
  if (Array.isArray((json as { nodes?: unknown }).nodes)) {
    throw new ComfyWorkflowError(
      `${source}: this is the UI format; export the workflow with "Save (API)" (API format) instead`,
    );
  }
  const entries = Object.entries(json as Record<string, unknown>);
  if (entries.length === 0) throw new ComfyWorkflowError(`${source}: the workflow has no nodes`);
  for (const [id, node] of entries) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) {
      throw new ComfyWorkflowError(`${source}: node "${id}" is not an object`);
    }
    const { class_type: classType, inputs } = node as Record<string, unknown>;
    if (typeof classType !== 'string' || classType === '') {
      throw new ComfyWorkflowError(`${source}: node "${id}" has no string "class_type"`);
    }
    if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
      throw new ComfyWorkflowError(`${source}: node "${id}" has no "inputs" object`);
    }
  }
  return json as ComfyWorkflow;
}

/** Reads and validates a workflow file in API format. */
export async function loadComfyWorkflow(path: string): Promise<ComfyWorkflow> {
  return parseComfyWorkflow(await readFile(path, 'utf8'), path);
}

function splitTarget(target: string, field: string): { node: string; input: string } {
  const dot = target.lastIndexOf('.');
  if (dot <= 0 || dot === target.length - 1) {
    throw new ComfyWorkflowError(`mapping.${field}: expected "<node id>.<input name>", got "${target}"`);
  }
  return { node: target.slice(0, dot), input: target.slice(dot + 1) };
}

/**
 * Checks that every mapped node exists in the workflow and already has the mapped input.
 * @throws ComfyWorkflowError naming the mapping field and the node
 */
export function checkComfyMapping(workflow: ComfyWorkflow, mapping: ComfyWorkflowMapping, source = 'workflow'): void {
  if (typeof mapping.prompt !== 'string') throw new ComfyWorkflowError('mapping.prompt is required');
  for (const [field, target] of Object.entries(mapping)) {
    if (target === undefined) continue;
    if (typeof target !== 'string') throw new ComfyWorkflowError(`mapping.${field} must be a string`);
    const { node, input } = splitTarget(target, field);
    if (!Object.hasOwn(workflow, node)) {
      throw new ComfyWorkflowError(`mapping.${field}: ${source} has no node "${node}"`);
    }
    if (!Object.hasOwn(workflow[node]!.inputs, input)) {
      throw new ComfyWorkflowError(
        `mapping.${field}: node "${node}" (${workflow[node]!.class_type}) of ${source} has no input "${input}"`,
      );
    }
  }
}

/** Values to write into a workflow. */
export interface ComfyWorkflowValues {
  prompt: string;
  negativePrompt: string;
  seed: number;
  steps?: number;
  guidance?: number;
  width?: number;
  height?: number;
}

/** A deep copy of `workflow` with the mapped inputs set; unset values keep the workflow's own. */
export function fillComfyWorkflow(
  workflow: ComfyWorkflow,
  mapping: ComfyWorkflowMapping,
  values: ComfyWorkflowValues,
): ComfyWorkflow {
  const filled = structuredClone(workflow);
  const assignments: [string | undefined, unknown][] = [
    [mapping.prompt, values.prompt],
    [mapping.negativePrompt, values.negativePrompt],
    [mapping.seed, values.seed],
    [mapping.steps, values.steps],
    [mapping.guidance, values.guidance],
    [mapping.width, values.width],
    [mapping.height, values.height],
    [mapping.batchSize, 1],
  ];
  for (const [target, value] of assignments) {
    if (target === undefined || value === undefined) continue;
    const { node, input } = splitTarget(target, 'target');
    filled[node]!.inputs[input] = value;
  }
  return filled;
}
