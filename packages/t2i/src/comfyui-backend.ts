import { createHash, randomUUID } from 'node:crypto';
import pLimit, { type LimitFunction } from 'p-limit';
import WebSocket from 'ws';
import {
  type ComfyWorkflow,
  type ComfyWorkflowMapping,
  checkComfyMapping,
  defaultComfyMapping,
  defaultComfyWorkflow,
  fillComfyWorkflow,
} from './comfyui-workflow';
import { randomSeed } from './decode-images';
import { type HttpBackendOptions, HttpClient, joinUrl } from './http-client';
import { checkPngSize } from './png-size-limits';
import type { GeneratedImage, GenerateOptions, GenerateRequest, TextToImage } from './text-to-image';
import { TextToImageError } from './text-to-image-error';

/** Settings of a ComfyUI backend. */
export interface ComfyUiOptions extends HttpBackendOptions {
  /** Server root, e.g. `http://127.0.0.1:8188`. */
  url: string;
  /** Workflow in API format (default: {@link defaultComfyWorkflow}). */
  workflow?: ComfyWorkflow;
  /** Where the request fields go in `workflow` (default: {@link defaultComfyMapping}, which fits the default). */
  mapping?: ComfyWorkflowMapping;
  /** Checkpoint file for the default workflow's loader (node 4); ignored with a user workflow. */
  checkpoint?: string;
  /** Listen on the `/ws` progress socket (default true); without it, or when it fails, poll `/history/{id}`. */
  webSocket?: boolean;
  /** Poll period in milliseconds (default 500). */
  pollIntervalMs?: number;
  /** Longest wait for a queued prompt to finish, in milliseconds (default: `timeoutMs`, else 600000). */
  generationTimeoutMs?: number;
  /** Sampling progress of each queued prompt, from the socket. */
  onProgress?: (event: { promptId: string; value: number; max: number }) => void;
}

interface PromptState {
  done: boolean;
  error?: string;
}

/**
 * ComfyUI through its HTTP + websocket API: queue the filled workflow with `POST /prompt` (one prompt per image, seed
 * + i), wait for `executing` with `node: null` on `/ws` (or poll `/history/{id}`), then fetch each output with
 * `GET /view`.
 */
export class ComfyUiTextToImage implements TextToImage {
  readonly id: string;
  private readonly client: HttpClient;
  private readonly limit: LimitFunction;
  private readonly workflow: ComfyWorkflow;
  private readonly mapping: ComfyWorkflowMapping;

  constructor(private readonly options: ComfyUiOptions) {
    this.client = new HttpClient('comfyui', options);
    this.limit = pLimit(options.concurrency ?? 1);
    this.mapping = options.mapping ?? defaultComfyMapping;
    if (options.workflow) {
      this.workflow = options.workflow;
    } else {
      this.workflow = structuredClone(defaultComfyWorkflow);
      if (options.checkpoint) this.workflow['4']!.inputs.ckpt_name = options.checkpoint;
    }
    checkComfyMapping(this.workflow, this.mapping, options.workflow ? 'the workflow' : 'the default workflow');
    this.id = `comfyui:${options.url}#${workflowDigest(this.workflow)}`;
  }

  generate(request: GenerateRequest, options: GenerateOptions = {}): Promise<GeneratedImage[]> {
    return this.limit(() => this.render(request, options.signal));
  }

  private async render(request: GenerateRequest, signal: AbortSignal | undefined): Promise<GeneratedImage[]> {
    signal?.throwIfAborted();
    const clientId = randomUUID();
    const states = new Map<string, PromptState>();
    const listeners = new Set<() => void>();
    const socket = this.options.webSocket === false ? undefined : await this.connect(clientId, states, listeners);
    const promptUrl = joinUrl(this.options.url, '/prompt');
    const firstSeed = request.seed ?? randomSeed();
    const ids: string[] = [];
    try {
      for (let index = 0; index < (request.n ?? 1); index++) {
        const workflow = fillComfyWorkflow(this.workflow, this.mapping, {
          prompt: request.prompt,
          negativePrompt: request.negativePrompt ?? '',
          seed: firstSeed + index,
          steps: request.steps,
          guidance: request.guidance,
          width: request.width,
          height: request.height,
        });
        const answer = (await this.client.json(promptUrl, { prompt: workflow, client_id: clientId }, signal)) as {
          prompt_id?: unknown;
          node_errors?: unknown;
        } | null;
        const nodeErrors = answer?.node_errors;
        if (typeof nodeErrors === 'object' && nodeErrors !== null && Object.keys(nodeErrors).length > 0) {
          throw new TextToImageError(
            { backend: 'comfyui', url: promptUrl, serverMessage: JSON.stringify(nodeErrors).slice(0, 500) },
            'workflow refused',
          );
        }
        if (typeof answer?.prompt_id !== 'string') {
          throw new TextToImageError({ backend: 'comfyui', url: promptUrl }, 'answer has no "prompt_id"');
        }
        ids.push(answer.prompt_id);
      }
      await this.waitAll(ids, socket, states, listeners, signal);
    } catch (error) {
      if (ids.length > 0) this.forget(ids);
      throw error;
    } finally {
      socket?.terminate();
    }
    return Promise.all(ids.map((id, index) => this.fetchOutput(id, firstSeed + index, signal)));
  }

  /** Opens the progress socket; undefined when it cannot be opened (the caller then polls). */
  private connect(
    clientId: string,
    states: Map<string, PromptState>,
    listeners: Set<() => void>,
  ): Promise<WebSocket | undefined> {
    const address = new URL(joinUrl(this.options.url, '/ws'));
    address.protocol = address.protocol === 'https:' ? 'wss:' : 'ws:';
    address.searchParams.set('clientId', clientId);
    return new Promise((resolve) => {
      const socket = new WebSocket(address, { headers: this.options.headers, handshakeTimeout: 5000 });
      socket.on('open', () => resolve(socket));
      socket.on('error', () => resolve(undefined));
      socket.on('unexpected-response', () => {
        socket.terminate();
        resolve(undefined);
      });
      socket.on('close', () => {
        for (const listener of listeners) listener();
      });
      socket.on('message', (data, isBinary) => {
        // binary frames carry preview images
        if (isBinary) return;
        const message = parseMessage(data.toString());
        if (!message) return;
        const promptId = message.data.prompt_id;
        if (typeof promptId !== 'string') return;
        if (message.type === 'progress' && typeof message.data.value === 'number') {
          this.options.onProgress?.({ promptId, value: message.data.value, max: Number(message.data.max) });
        } else if (
          (message.type === 'executing' && message.data.node === null) ||
          message.type === 'execution_success'
        ) {
          states.set(promptId, { done: true });
        } else if (message.type === 'execution_error' || message.type === 'execution_interrupted') {
          const detail = message.data.exception_message ?? message.type;
          const node = message.data.node_id === undefined ? '' : ` (node ${String(message.data.node_id)})`;
          states.set(promptId, { done: true, error: `${String(detail)}${node}` });
        }
        for (const listener of listeners) listener();
      });
    });
  }

  private waitAll(
    ids: string[],
    socket: WebSocket | undefined,
    states: Map<string, PromptState>,
    listeners: Set<() => void>,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const limitMs = this.options.generationTimeoutMs ?? this.options.timeoutMs ?? 600_000;
    const pollMs = this.options.pollIntervalMs ?? 500;
    const historyUrl = (id: string) => joinUrl(this.options.url, `/history/${encodeURIComponent(id)}`);
    return new Promise<void>((resolve, reject) => {
      let finished = false;
      let pollTimer: NodeJS.Timeout | undefined;
      let polling = false;
      const finish = (error?: unknown) => {
        if (finished) return;
        finished = true;
        clearTimeout(deadline);
        clearTimeout(pollTimer);
        listeners.delete(check);
        signal?.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const check = () => {
        for (const id of ids) {
          const state = states.get(id);
          if (state?.error !== undefined) {
            finish(
              new TextToImageError(
                { backend: 'comfyui', url: historyUrl(id), serverMessage: state.error },
                `prompt ${id} failed`,
              ),
            );
            return;
          }
        }
        if (ids.every((id) => states.get(id)?.done)) finish();
        else if (socket && socket.readyState !== WebSocket.OPEN && !polling) startPolling();
      };
      const poll = async () => {
        for (const id of ids) {
          if (finished || states.get(id)?.done) continue;
          try {
            const history = (await this.client.json(historyUrl(id), undefined, signal)) as Record<string, unknown>;
            const entry = history?.[id] as { outputs?: unknown; status?: Record<string, unknown> } | undefined;
            if (!entry) continue;
            if (entry.status?.status_str === 'error') {
              states.set(id, { done: true, error: historyError(entry.status) });
            } else if (entry.outputs && entry.status?.completed !== false) {
              states.set(id, { done: true });
            }
          } catch (error) {
            finish(error);
            return;
          }
        }
        check();
        if (!finished) pollTimer = setTimeout(poll, pollMs);
      };
      const startPolling = () => {
        polling = true;
        void poll();
      };
      const onAbort = () => finish(signal!.reason);
      const deadline = setTimeout(
        () =>
          finish(
            new TextToImageError(
              { backend: 'comfyui', url: historyUrl(ids[0]!), retryable: true },
              `timed out after ${limitMs} ms waiting for the queued prompts`,
            ),
          ),
        limitMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) return onAbort();
      listeners.add(check);
      if (socket) check();
      else startPolling();
    });
  }

  private async fetchOutput(id: string, seed: number, signal: AbortSignal | undefined): Promise<GeneratedImage> {
    const historyUrl = joinUrl(this.options.url, `/history/${encodeURIComponent(id)}`);
    const history = (await this.client.json(historyUrl, undefined, signal)) as Record<string, unknown> | null;
    const outputs = (history?.[id] as { outputs?: Record<string, { images?: unknown }> } | undefined)?.outputs;
    const images = Object.entries(outputs ?? {}).flatMap(([node, output]) =>
      Array.isArray(output?.images)
        ? (output.images as Record<string, unknown>[]).map((image): Record<string, unknown> => ({ ...image, node }))
        : [],
    );
    // SaveImage writes type "output"; preview nodes write "temp"
    const image = images.find((candidate) => candidate.type === 'output') ?? images[0];
    if (!image || typeof image.filename !== 'string') {
      throw new TextToImageError({ backend: 'comfyui', url: historyUrl }, `prompt ${id} produced no image`);
    }
    const query = new URLSearchParams({
      filename: image.filename,
      subfolder: typeof image.subfolder === 'string' ? image.subfolder : '',
      type: typeof image.type === 'string' ? image.type : 'output',
    });
    const viewUrl = `${joinUrl(this.options.url, '/view')}?${query}`;
    const png = await this.client.bytes(viewUrl, signal);
    const size = checkPngSize(png, this.options.imageSizeLimits, { backend: 'comfyui', url: viewUrl, field: 'answer' });
    return {
      png,
      ...size,
      seed,
      metadata: { backend: 'comfyui', promptId: id, node: image.node, filename: image.filename },
    };
  }

  /** Best effort: drop prompts still waiting in the queue after a failure or cancellation. */
  private forget(ids: string[]): void {
    const fetcher = this.options.fetch ?? globalThis.fetch;
    fetcher(joinUrl(this.options.url, '/queue'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...this.options.headers },
      body: JSON.stringify({ delete: ids }),
      signal: AbortSignal.timeout(5000),
    }).then(
      (response) => response.body?.cancel(),
      () => undefined,
    );
  }
}

function parseMessage(text: string): { type: string; data: Record<string, unknown> } | undefined {
  try {
    const message = JSON.parse(text) as { type?: unknown; data?: unknown };
    if (typeof message?.type === 'string' && typeof message.data === 'object' && message.data !== null) {
      return { type: message.type, data: message.data as Record<string, unknown> };
    }
  } catch {
    // a frame we do not understand is not ours to fail on
  }
  return undefined;
}

function historyError(status: Record<string, unknown>): string {
  const messages = Array.isArray(status.messages) ? status.messages : [];
  for (const entry of messages) {
    if (Array.isArray(entry) && entry[0] === 'execution_error') {
      const detail = entry[1] as Record<string, unknown> | undefined;
      if (typeof detail?.exception_message === 'string') return detail.exception_message;
    }
  }
  return 'execution error';
}

/** A short stable digest of a workflow, so two workflows on one server get different backend ids. */
function workflowDigest(workflow: ComfyWorkflow): string {
  return createHash('sha256').update(JSON.stringify(workflow)).digest('hex').slice(0, 12);
}
