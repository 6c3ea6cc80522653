import { randomUUID } from 'node:crypto';
import { type WebSocket, WebSocketServer } from 'ws';
import { FakeServer } from './fake-server';
import { testPng } from './test-png';

/** Settings of the fake ComfyUI server. */
export interface FakeComfyUiOptions {
  /** Accept `/ws` connections (default true); false refuses the upgrade, so clients must poll `/history`. */
  webSocket?: boolean;
  /** Milliseconds between queueing a prompt and finishing it (default 5). */
  executionDelayMs?: number;
  /** Fail every execution with this exception message (sent as `execution_error` and kept in the history). */
  executionError?: string;
  /** Never finish executions (for cancellation and timeout tests). */
  hangExecution?: boolean;
  /** Close the client's websocket as soon as a prompt is queued, before any progress message. */
  dropWebSocket?: boolean;
}

interface HistoryEntry {
  prompt: unknown[];
  outputs: Record<string, { images: { filename: string; subfolder: string; type: string }[] }>;
  status: { status_str: string; completed: boolean; messages: unknown[] };
}

/**
 * Fake ComfyUI: `POST /prompt` queues an API-format workflow and "executes" it (reading `seed`, `width`, `height`
 * and `steps` from whichever nodes have them), `/ws?clientId=` streams `execution_start`, `executing`, `progress`, a
 * binary preview frame and `executing` with `node: null`; `GET /history/{id}` and `GET /view` serve the result.
 */
export class FakeComfyUiServer extends FakeServer {
  /** Prompts removed with `POST /queue {delete}`. */
  readonly deleted: string[] = [];
  private readonly history = new Map<string, HistoryEntry>();
  private readonly files = new Map<string, Uint8Array>();
  private readonly sockets = new Map<string, WebSocket>();
  private readonly webSockets: WebSocketServer;

  constructor(private readonly options: FakeComfyUiOptions = {}) {
    super();
    this.webSockets = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (request, socket, head) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      if (options.webSocket === false || url.pathname !== '/ws') {
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.webSockets.handleUpgrade(request, socket, head, (client) => {
        const clientId = url.searchParams.get('clientId') ?? randomUUID();
        this.sockets.set(clientId, client);
        client.on('close', () => this.sockets.delete(clientId));
        client.send(
          JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid: clientId } }),
        );
      });
    });
    this.route('POST', '/prompt', (request) => this.queue(request.body));
    this.route('POST', '/queue', (request) => {
      const ids = (request.body as { delete?: unknown } | undefined)?.delete;
      if (Array.isArray(ids)) this.deleted.push(...ids.map(String));
      return { json: {} };
    });
    this.route('GET', '/history/', (_request, url) => {
      const id = decodeURIComponent(url.pathname.slice('/history/'.length));
      const entry = this.history.get(id);
      return { json: entry ? { [id]: entry } : {} };
    });
    this.route('GET', '/view', (_request, url) => {
      const file = this.files.get(url.searchParams.get('filename') ?? '');
      return file && url.searchParams.get('type') === 'output'
        ? { bytes: file }
        : { status: 404, json: { error: 'file not found' } };
    });
  }

  override async close(): Promise<void> {
    for (const socket of this.sockets.values()) socket.terminate();
    this.webSockets.close();
    await super.close();
  }

  private queue(body: unknown) {
    const { prompt: workflow, client_id: clientId } = (body ?? {}) as { prompt?: unknown; client_id?: unknown };
    if (typeof workflow !== 'object' || workflow === null) {
      return {
        status: 400,
        json: { error: { type: 'no_prompt', message: 'No prompt provided', details: '' }, node_errors: {} },
      };
    }
    const nodes = workflow as Record<string, { class_type?: unknown; inputs?: Record<string, unknown> }>;
    const missing = Object.entries(nodes).find(([, node]) => typeof node?.class_type !== 'string');
    if (missing) {
      return {
        status: 400,
        json: {
          error: { type: 'invalid_prompt', message: `Cannot execute because node ${missing[0]} has no class_type.` },
          node_errors: {},
        },
      };
    }
    const read = (input: string, fallback: number) => {
      for (const node of Object.values(nodes)) {
        const value = node.inputs?.[input];
        if (typeof value === 'number') return value;
      }
      return fallback;
    };
    const promptId = randomUUID();
    if (this.options.dropWebSocket) this.sockets.get(String(clientId ?? ''))?.close();
    const saveNode = Object.entries(nodes).find(([, node]) => node.class_type === 'SaveImage')?.[0] ?? '9';
    const settings = {
      seed: read('seed', 0),
      width: read('width', 512),
      height: read('height', 512),
      steps: read('steps', 20),
    };
    setTimeout(
      () => this.execute(promptId, String(clientId ?? ''), saveNode, settings),
      this.options.executionDelayMs ?? 5,
    );
    return { json: { prompt_id: promptId, number: this.history.size, node_errors: {} } };
  }

  private execute(
    promptId: string,
    clientId: string,
    saveNode: string,
    settings: { seed: number; width: number; height: number; steps: number },
  ): void {
    if (this.options.hangExecution) return;
    const socket = this.sockets.get(clientId);
    const emit = (type: string, data: Record<string, unknown>) => socket?.send(JSON.stringify({ type, data }));
    emit('execution_start', { prompt_id: promptId });
    if (this.options.executionError) {
      const error = {
        prompt_id: promptId,
        node_id: '3',
        node_type: 'KSampler',
        exception_message: this.options.executionError,
        exception_type: 'RuntimeError',
      };
      emit('execution_error', error);
      this.history.set(promptId, {
        prompt: [],
        outputs: {},
        status: { status_str: 'error', completed: false, messages: [['execution_error', error]] },
      });
      return;
    }
    emit('executing', { node: '3', prompt_id: promptId });
    for (let value = 1; value <= settings.steps; value++) {
      emit('progress', { value, max: settings.steps, prompt_id: promptId, node: '3' });
    }
    // previews travel as binary frames: 8-byte header, then an image
    socket?.send(Buffer.concat([Buffer.alloc(8), Buffer.from(testPng(8, 8, 0))]));
    const filename = `diffchat_${String(this.files.size).padStart(5, '0')}_.png`;
    this.files.set(filename, testPng(settings.width, settings.height, settings.seed));
    this.history.set(promptId, {
      prompt: [this.history.size, promptId],
      outputs: { [saveNode]: { images: [{ filename, subfolder: '', type: 'output' }] } },
      status: { status_str: 'success', completed: true, messages: [] },
    });
    emit('executing', { node: null, prompt_id: promptId });
    emit('execution_success', { prompt_id: promptId });
  }
}
