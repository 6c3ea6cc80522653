import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Files of one revision: path inside the repository -> content. */
export type FakeHubFiles = Readonly<Record<string, string | Uint8Array>>;

/** A model repository served by the fake hub. */
export interface FakeHubRepository {
  /** Branches or tags -> files. The hub's default revision is `main`. */
  revisions: Readonly<Record<string, FakeHubFiles>>;
  /** When set, every request for this repository must send `Authorization: Bearer <accessToken>`. */
  accessToken?: string;
}

/** One request the fake hub received, for assertions. */
export interface FakeHubRequest {
  method: string;
  /** Path and query, e.g. `/api/models/owner/name/revision/main?expand=sha`. */
  url: string;
  /** The Authorization header, if any. */
  authorization?: string;
}

/** A running fake hub. */
export interface FakeHub {
  /** Base URL to pass as `hubUrl` (http://127.0.0.1:<port>). */
  url: string;
  /** Requests received so far, oldest first. */
  requests: FakeHubRequest[];
  /** The 40-hex commit id the hub reports for a repository's revision. */
  commitOf(repository: string, revision: string): string;
  /** Stops the server; later requests fail to connect, as with an unreachable hub. */
  close(): Promise<void>;
}

interface StoredFile {
  path: string;
  content: Buffer;
  /** Git blob id (sha1 of "blob <size>\0" + content). */
  oid: string;
  /** Large binary files are LFS objects on the real hub, identified by their sha256. */
  lfs?: { oid: string; size: number };
}

interface StoredRevision {
  commit: string;
  files: Map<string, StoredFile>;
}

const LFS_EXTENSIONS = /\.(safetensors|onnx|bin|onnx_data)$/;

function storeRevision(repository: string, revision: string, files: FakeHubFiles): StoredRevision {
  const stored = new Map<string, StoredFile>();
  const commitHash = createHash('sha1').update(`${repository}\0${revision}\0`);
  for (const path of Object.keys(files).sort()) {
    const value = files[path]!;
    const content = typeof value === 'string' ? Buffer.from(value) : Buffer.from(value);
    const oid = createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
    const lfs = LFS_EXTENSIONS.test(path)
      ? { oid: createHash('sha256').update(content).digest('hex'), size: content.length }
      : undefined;
    stored.set(path, { path, content, oid, lfs });
    commitHash.update(`${path}\0${oid}\0`);
  }
  return { commit: commitHash.digest('hex'), files: stored };
}

function sendJson(response: ServerResponse, status: number, body: unknown, errorCode?: string): void {
  response.writeHead(status, {
    'Content-Type': 'application/json',
    ...(errorCode === undefined ? {} : { 'X-Error-Code': errorCode }),
  });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function treeEntry(file: StoredFile, commit: string) {
  return {
    type: 'file',
    path: file.path,
    oid: file.oid,
    size: file.content.length,
    ...(file.lfs === undefined ? {} : { lfs: { oid: file.lfs.oid, size: file.lfs.size, pointerSize: 134 } }),
    lastCommit: { id: commit, title: 'Upload', date: '2024-01-01T00:00:00.000Z' },
  };
}

/**
 * Starts a fake Hugging Face hub on 127.0.0.1 serving the endpoints @huggingface/hub's download
 * functions call: model info (`/api/models/<repo>/revision/<rev>`), file listing
 * (`/api/models/<repo>/tree/<rev>`), paths info (`POST /api/models/<repo>/paths-info/<rev>`) and
 * file download with byte ranges (`/<repo>/resolve/<rev>/<path>`). Revisions may be given by
 * name or by the commit id {@link FakeHub.commitOf} reports. Unknown repositories, revisions and
 * files get 404 with the hub's `X-Error-Code`; a repository with an access token answers 401 to
 * requests without it.
 */
export async function startFakeHub(repositories: Readonly<Record<string, FakeHubRepository>>): Promise<FakeHub> {
  const stored = new Map<string, { accessToken?: string; revisions: Map<string, StoredRevision> }>();
  for (const [name, repository] of Object.entries(repositories)) {
    const revisions = new Map<string, StoredRevision>();
    for (const [revision, files] of Object.entries(repository.revisions)) {
      const snapshot = storeRevision(name, revision, files);
      revisions.set(revision, snapshot);
      revisions.set(snapshot.commit, snapshot);
    }
    stored.set(name, { accessToken: repository.accessToken, revisions });
  }
  const requests: FakeHubRequest[] = [];

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const authorization = request.headers.authorization;
    requests.push({ method: request.method ?? 'GET', url: `${url.pathname}${url.search}`, authorization });
    const segments = url.pathname
      .split('/')
      .filter((segment) => segment.length > 0)
      .map(decodeURIComponent);
    const isApi = segments[0] === 'api' && segments[1] === 'models';
    const rest = isApi ? segments.slice(2) : segments;
    const actions = isApi ? ['revision', 'tree', 'paths-info'] : ['resolve'];
    // Repository names have one segment (legacy, e.g. "gpt2") or two ("owner/name").
    const actionIndex =
      [1, 2].find((index) => actions.includes(rest[index] ?? '') && stored.has(rest.slice(0, index).join('/'))) ??
      [1, 2].find((index) => actions.includes(rest[index] ?? ''));
    if (actionIndex === undefined) return sendJson(response, 404, { error: 'Not found' });
    const repositoryName = rest.slice(0, actionIndex).join('/');
    const action = rest[actionIndex]!;
    const revisionName = rest[actionIndex + 1] ?? 'main';
    const filePath = rest.slice(actionIndex + 2).join('/');
    const repository = stored.get(repositoryName);
    if (repository === undefined) return sendJson(response, 404, { error: 'Repository not found' }, 'RepoNotFound');
    if (repository.accessToken !== undefined && authorization !== `Bearer ${repository.accessToken}`) {
      return sendJson(response, 401, { error: 'Invalid username or password.' }, 'RepoNotFound');
    }
    const revision = repository.revisions.get(revisionName === 'HEAD' ? 'main' : revisionName);
    if (revision === undefined) {
      return sendJson(response, 404, { error: `Invalid rev id: ${revisionName}` }, 'RevisionNotFound');
    }
    switch (action) {
      case 'revision':
        return sendJson(response, 200, {
          _id: createHash('sha1').update(repositoryName).digest('hex').slice(0, 24),
          id: repositoryName,
          sha: revision.commit,
          private: repository.accessToken !== undefined,
          siblings: [...revision.files.keys()].map((rfilename) => ({ rfilename })),
        });
      case 'tree': {
        const prefix = filePath === '' ? '' : `${filePath}/`;
        const entries = [...revision.files.values()]
          .filter((file) => file.path.startsWith(prefix))
          .filter(
            (file) => url.searchParams.get('recursive') === 'true' || !file.path.slice(prefix.length).includes('/'),
          )
          .map((file) => treeEntry(file, revision.commit));
        return sendJson(response, 200, entries);
      }
      case 'paths-info': {
        const body = JSON.parse((await readBody(request)) || '{}') as { paths?: string[] };
        const entries = (body.paths ?? [])
          .map((path) => revision.files.get(path))
          .filter((file): file is StoredFile => file !== undefined)
          .map((file) => treeEntry(file, revision.commit));
        return sendJson(response, 200, entries);
      }
      default: {
        const file = revision.files.get(filePath);
        if (file === undefined) return sendJson(response, 404, { error: 'Entry not found' }, 'EntryNotFound');
        const total = file.content.length;
        const headers: Record<string, string> = {
          'Content-Type': 'application/octet-stream',
          ETag: `"${file.lfs?.oid ?? file.oid}"`,
          'X-Repo-Commit': revision.commit,
          'Accept-Ranges': 'bytes',
        };
        const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
        let body = file.content;
        let status = 200;
        if (range !== null && total > 0) {
          const start = Number(range[1]);
          const end = Math.min(range[2] === '' ? total - 1 : Number(range[2]), total - 1);
          body = file.content.subarray(start, end + 1);
          headers['Content-Range'] = `bytes ${start}-${end}/${total}`;
          status = 206;
        }
        headers['Content-Length'] = String(body.length);
        response.writeHead(status, headers);
        response.end(request.method === 'HEAD' ? undefined : body);
      }
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: String(error) });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    commitOf(repository, revision) {
      const found = stored.get(repository)?.revisions.get(revision);
      if (found === undefined) throw new Error(`fake hub has no ${repository}@${revision}`);
      return found.commit;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
