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
  | { kind: 'reset' }
  /** Answer 200 with this Content-Length, send a few bytes and then nothing until the client goes away. */
  | { kind: 'declared-length'; contentLength: number; contentType?: string }
  /**
   * Answer 200 with a chunked body of `chunkBytes` chunks (default 64 KiB) that goes on until the client goes away or
   * `stopAfterBytes` have been sent, the bound that keeps a test from running forever.
   */
  | { kind: 'endless'; stopAfterBytes: number; chunkBytes?: number; contentType?: string };

/** How a `declared-length` or `endless` answer went, for tests that check the client stopped reading. */
export interface StreamedAnswer {
  /** Path and query of the request. */
  path: string;
  /** Body bytes handed to the socket so far. */
  bytesSent: number;
  /** Settles when the answer is over: `client-closed` when the client dropped it, else `completed`. */
  ended: Promise<'client-closed' | 'completed'>;
}

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
  /** Every `declared-length` and `endless` answer played, in order. */
  readonly streamed: StreamedAnswer[] = [];
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
      return this.play(failure.failure, recorded, response);
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

  private play(failure: FakeFailure, request: RecordedRequest, response: ServerResponse): void {
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
      case 'declared-length':
        response.writeHead(200, {
          'content-type': failure.contentType ?? 'application/json',
          'content-length': String(failure.contentLength),
        });
        this.stream(request, response, 0, 16);
        return;
      case 'endless':
        response.writeHead(200, { 'content-type': failure.contentType ?? 'application/json' });
        this.stream(request, response, failure.stopAfterBytes, failure.chunkBytes ?? 64 * 1024);
        return;
    }
  }

  /** Writes `chunkBytes` chunks, waiting for the socket to drain, until the client leaves or `stopAfterBytes`. */
  private stream(request: RecordedRequest, response: ServerResponse, stopAfterBytes: number, chunkBytes: number) {
    const chunk = Buffer.alloc(chunkBytes, 0x41);
    let clientClosed = false;
    const record: StreamedAnswer = {
      path: request.path,
      bytesSent: 0,
      ended: new Promise((resolve) => {
        response.on('close', () => {
          clientClosed = !response.writableFinished;
          resolve(clientClosed ? 'client-closed' : 'completed');
        });
      }),
    };
    this.streamed.push(record);
    const pump = async () => {
      // a declared-length answer sends one chunk and then waits, like a server that stalls mid-body
      do {
        if (!response.write(chunk)) {
          await new Promise<void>((resolve) => {
            const resume = () => {
              response.off('drain', resume);
              response.off('close', resume);
              resolve();
            };
            response.on('drain', resume);
            response.on('close', resume);
          });
        }
        record.bytesSent += chunk.length;
      } while (!clientClosed && !response.destroyed && record.bytesSent < stopAfterBytes);
      if (stopAfterBytes > 0 && !response.destroyed) response.end();
    };
    void pump();
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
