import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { downloadFileToCacheDir, HubApiError, modelInfo } from '@huggingface/hub';
import { MODEL_FILES, type ModelDirectory, readModelDirectory } from './model-directory';
import { checkModelDirectorySize } from './model-size';
import { TOKENIZER_CONFIG_FILE, TOKENIZER_FILE } from './tokenizer-files';

/** Options of {@link resolveModel}. */
export interface ResolveModelOptions {
  /** Branch, tag or 40-hex commit id. Default 'main'. */
  revision?: string;
  /** Hub cache root (Python huggingface_hub's layout). Default: HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub. */
  cacheDir?: string;
  /** Hub base URL. Default: HF_ENDPOINT, else https://huggingface.co. */
  hubUrl?: string;
  /** Token for private or gated repositories (starts with `hf_`). Default: HF_TOKEN. */
  accessToken?: string;
  /** fetch to use for every request (proxies, headers, tests). Default: the global fetch. */
  fetch?: typeof fetch;
  /** Use only the cache, never the network. Default: HF_HUB_OFFLINE is 1/true/yes/on. */
  offline?: boolean;
  /** Also download the `onnx/` folder. Default false. */
  includeOnnx?: boolean;
  /** Environment read for the defaults above. Default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The hub could not give a model: not found, access denied, or neither reachable nor cached. */
export class ModelNotAvailableError extends Error {
  override readonly name = 'ModelNotAvailableError';
}

const COMMIT_HASH = /^[0-9a-f]{40}$/;
const REPOSITORY_ID = /^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/;
/** Files a model needs; everything else in a repository (PyTorch .bin, Flax, TF, README images) is skipped. */
const NEEDED_FILES = new Set<string>([
  MODEL_FILES.config,
  MODEL_FILES.generationConfig,
  MODEL_FILES.weights,
  MODEL_FILES.weightsIndex,
  TOKENIZER_FILE,
  TOKENIZER_CONFIG_FILE,
  'special_tokens_map.json',
]);

/** The hub cache root from the options and environment, as Python huggingface_hub resolves it. */
export function hubCacheDirectory(options: Pick<ResolveModelOptions, 'cacheDir' | 'env'> = {}): string {
  const env = options.env ?? process.env;
  if (options.cacheDir) return resolve(options.cacheDir);
  if (env.HF_HUB_CACHE) return resolve(env.HF_HUB_CACHE);
  if (env.HF_HOME) return resolve(env.HF_HOME, 'hub');
  if (env.XDG_CACHE_HOME) return resolve(env.XDG_CACHE_HOME, 'huggingface', 'hub');
  return join(homedir(), '.cache', 'huggingface', 'hub');
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());
}

function looksLikePath(source: string): boolean {
  return isAbsolute(source) || source.startsWith('.') || source.startsWith('~') || /^[A-Za-z]:[\\/]/.test(source);
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}

function isNetworkFailure(error: unknown): boolean {
  if (error instanceof HubApiError) return error.statusCode >= 500;
  // undici reports an unreachable host as TypeError("fetch failed") with the socket error as cause.
  return error instanceof TypeError || (error as NodeJS.ErrnoException)?.code === 'ECONNREFUSED';
}

/** The snapshot folder of a cached revision, or undefined when that revision was never downloaded. */
async function cachedSnapshot(storage: string, revision: string): Promise<string | undefined> {
  let commit = revision;
  if (!COMMIT_HASH.test(revision)) {
    try {
      commit = (await readFile(join(storage, 'refs', revision), 'utf8')).trim();
    } catch {
      return undefined;
    }
  }
  const snapshot = join(storage, 'snapshots', commit);
  const complete = await stat(join(snapshot, MODEL_FILES.config)).then(
    () => true,
    () => false,
  );
  return complete ? snapshot : undefined;
}

/**
 * Turns a model reference into a local folder in Hugging Face's model layout.
 *
 * A path (`./dir`, `/abs/dir`, or any existing directory) is returned as it is. A repository id
 * (`owner/name`) is downloaded through @huggingface/hub's cache functions into the same cache
 * layout as Python's huggingface_hub (`models--owner--name/{blobs,snapshots/<commit>,refs/<revision>}`),
 * fetching only what a model needs: config.json, generation_config.json, tokenizer files,
 * safetensors weights (sharded or not) and, on request, `onnx/`. Files already in the cache are
 * not downloaded again.
 *
 * Offline (option, or HF_HUB_OFFLINE), or when the hub cannot be reached, the revision is looked
 * up in the cache (`refs/<revision>` -> `snapshots/<commit>/`), so a model downloaded once keeps working.
 * @returns absolute path of the folder holding config.json
 * @throws ModelNotAvailableError when the repository, revision or a required file does not exist, access is denied, or the model is neither reachable nor cached
 */
export async function resolveModel(source: string, options: ResolveModelOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  if (looksLikePath(source) || (await isDirectory(source))) {
    const local = resolve(source.startsWith('~') ? join(homedir(), source.slice(1)) : source);
    if (!(await isDirectory(local))) throw new ModelNotAvailableError(`local model directory ${local} not found`);
    return local;
  }
  if (!REPOSITORY_ID.test(source)) {
    throw new ModelNotAvailableError(
      `"${source}" is neither an existing directory nor a repository id like owner/name`,
    );
  }
  const revision = options.revision ?? 'main';
  const cacheDir = hubCacheDirectory({ cacheDir: options.cacheDir, env });
  const storage = join(cacheDir, `models--${source.replaceAll('/', '--')}`);
  const offline = options.offline ?? isTruthy(env.HF_HUB_OFFLINE);
  const notCached = (why: string) =>
    new ModelNotAvailableError(
      `${source}@${revision} is not in the hub cache ${cacheDir} and ${why}; download it once while online`,
    );
  if (offline) {
    const snapshot = await cachedSnapshot(storage, revision);
    if (snapshot === undefined) throw notCached('offline mode is on');
    return snapshot;
  }

  const accessToken = options.accessToken ?? env.HF_TOKEN ?? env.HUGGING_FACE_HUB_TOKEN;
  if (accessToken !== undefined && !accessToken.startsWith('hf_')) {
    throw new ModelNotAvailableError('access token must start with "hf_" (check accessToken or HF_TOKEN)');
  }
  const hubUrl = options.hubUrl ?? env.HF_ENDPOINT ?? 'https://huggingface.co';
  const common = { hubUrl, accessToken, ...(options.fetch ? { fetch: options.fetch } : {}) };
  const repo = { type: 'model' as const, name: source };
  const describe = (error: unknown, what: string): Error => {
    if (error instanceof HubApiError && (error.statusCode === 401 || error.statusCode === 403)) {
      return new ModelNotAvailableError(
        `access to ${source} on ${hubUrl} was denied (${error.statusCode}); it may be private or gated: pass accessToken or set HF_TOKEN`,
      );
    }
    if (error instanceof HubApiError && error.statusCode === 404) {
      return new ModelNotAvailableError(`${what} not found on ${hubUrl}: ${error.message}`);
    }
    return error as Error;
  };

  let commit: string;
  let files: string[];
  try {
    const info = await modelInfo({ ...common, name: source, revision, additionalFields: ['sha', 'filePaths'] });
    commit = info.sha;
    files = info.filePaths;
  } catch (error) {
    if (isNetworkFailure(error)) {
      const snapshot = await cachedSnapshot(storage, revision);
      if (snapshot === undefined) throw notCached(`the hub ${hubUrl} is unreachable (${(error as Error).message})`);
      return snapshot;
    }
    throw describe(error, `model ${source} at revision ${revision}`);
  }
  if (!COMMIT_HASH.test(commit ?? ''))
    throw new ModelNotAvailableError(`${hubUrl} gave no commit id for ${source}@${revision}`);
  if (revision !== commit) {
    // Python's layout: refs/<revision> holds the commit a branch or tag pointed to at download time.
    const reference = join(storage, 'refs', revision);
    await mkdir(dirname(reference), { recursive: true });
    await writeFile(reference, commit);
  }
  if (!files.includes(MODEL_FILES.config)) {
    throw new ModelNotAvailableError(`${source}@${revision} has no config.json (files: ${files.join(', ')})`);
  }
  if (!files.includes(MODEL_FILES.weights) && !files.includes(MODEL_FILES.weightsIndex)) {
    throw new ModelNotAvailableError(
      `${source}@${revision} has no safetensors weights (model.safetensors or model.safetensors.index.json); files: ${files.join(', ')}`,
    );
  }
  const wanted = files.filter(
    (path) => NEEDED_FILES.has(path) || (options.includeOnnx === true && path.startsWith('onnx/')),
  );
  const download = async (path: string) => {
    try {
      return await downloadFileToCacheDir({ ...common, repo, path, revision: commit, cacheDir });
    } catch (error) {
      throw describe(error, `${path} of ${source}@${revision}`);
    }
  };
  for (const path of wanted) await download(path);
  if (wanted.includes(MODEL_FILES.weightsIndex)) {
    const indexPath = join(storage, 'snapshots', commit, MODEL_FILES.weightsIndex);
    const index = JSON.parse(await readFile(indexPath, 'utf8')) as { weight_map?: Record<string, string> };
    for (const shard of new Set(Object.values(index.weight_map ?? {}))) await download(shard);
  }
  return join(storage, 'snapshots', commit);
}

/**
 * Resolves a model reference (see {@link resolveModel}) and reads the directory with its checks
 * (see {@link readModelDirectory}), after checking from config.json and the safetensors headers alone that the
 * weights fit in memory and agree with the config (see {@link checkModelDirectorySize}).
 */
export async function loadModelDirectory(source: string, options: ResolveModelOptions = {}): Promise<ModelDirectory> {
  const directory = await resolveModel(source, options);
  await checkModelDirectorySize(directory);
  return readModelDirectory(directory);
}
