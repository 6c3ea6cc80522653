import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as a fake server received it. */
export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/view?filename=a.png&subfolder=&type=output`. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, the raw text when it is not JSON, or undefined when empty. */
  body: unknown;
}

/** A failure a fake server plays instead of its normal answer. */
export type FakeFailure =
  /** Answer with this HTTP status and body (JSON-encoded unless a string). */
  | { kind: 'status'; status: number; body?: unknown }
  /** Accept the request and never answer. */
  | { kind: 'hang' }
  /** Answer 200 with a body that is not JSON. */
  | { kind: 'malformed-json' }
  /** Drop the connection without answering (a network error on the client). */
  | { kind: 'reset' };

/** Route handler: returns the answer, or writes it itself and returns undefined. */
export type FakeHandler = (
  request: RecordedRequest,
  url: URL,
  response: ServerResponse,
) => Promise<FakeAnswer | undefined> | FakeAnswer | undefined;

/** A JSON or binary answer. */
export interface FakeAnswer {
  status?: number;
  json?: unknown;
  bytes?: Uint8Array;
  contentType?: string;
}

/**
 * An HTTP server on 127.0.0.1 (a free port) that records every request and can be told to fail the next calls of a
 * route. Subclasses register routes.
 */
export class FakeServer {
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  protected readonly server: Server;
  private readonly routes: { method: string; prefix: string; handler: FakeHandler }[] = [];
  private readonly failures: { route: string; failure: FakeFailure; remaining: number }[] = [];
  private baseUrl = '';

  constructor() {
    this.server = createServer((request, response) => {
      void this.handle(request, response);
    });
  }

  /** `http://127.0.0.1:<port>`, once started. */
  get url(): string {
    return this.baseUrl;
  }

  /** Starts listening on a free port of 127.0.0.1. */
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Stops the server, dropping hanging requests. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * Plays `failure` on the next `times` requests whose `"METHOD /path"` starts with `route`
   * (e.g. `POST /sdapi/v1/txt2img`, `GET /history`).
   */
  failNext(route: string, failure: FakeFailure, times = 1): this {
    this.failures.push({ route, failure, remaining: times });
    return this;
  }

  /** Requests whose `"METHOD /path"` starts with `route`. */
  requestsTo(route: string): RecordedRequest[] {
    return this.requests.filter((request) => `${request.method} ${request.path}`.startsWith(route));
  }

  protected route(method: string, prefix: string, handler: FakeHandler): void {
    this.routes.push({ method, prefix, handler });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      headers: request.headers,
      body,
    };
    this.requests.push(recorded);
    const url = new URL(recorded.path, this.baseUrl);
    const key = `${recorded.method} ${url.pathname}`;
    const failure = this.failures.find((entry) => entry.remaining > 0 && key.startsWith(entry.route));
    if (failure) {
      failure.remaining--;
      return this.play(failure.failure, response);
    }
    const route = this.routes.find(
      (entry) => entry.method === recorded.method && url.pathname.startsWith(entry.prefix),
    );
    if (!route) return send(response, { status: 404, json: { detail: 'Not Found' } });
    try {
      const answer = await route.handler(recorded, url, response);
      if (answer) send(response, answer);
    } catch (error) {
      send(response, { status: 500, json: { error: (error as Error).message } });
    }
  }

  private play(failure: FakeFailure, response: ServerResponse): void {
    switch (failure.kind) {
      case 'status':
        if (typeof failure.body === 'string') {
          response.writeHead(failure.status, { 'content-type': 'text/plain' }).end(failure.body);
        } else send(response, { status: failure.status, json: failure.body ?? { error: 'injected failure' } });
        return;
      case 'hang':
        return;
      case 'malformed-json':
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"images": ["iVBOR');
        return;
      case 'reset':
        response.socket?.destroy();
        return;
    }
  }
}

function send(response: ServerResponse, answer: FakeAnswer): void {
  if (answer.bytes) {
    response
      .writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'image/png' })
      .end(Buffer.from(answer.bytes));
  } else {
    response
      .writeHead(answer.status ?? 200, { 'content-type': 'application/json' })
      .end(JSON.stringify(answer.json ?? {}));
  }
}
