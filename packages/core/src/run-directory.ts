import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { z } from 'zod';
import { name as corePackageName, version as corePackageVersion } from '../package.json';
import { readJsonFile, syncDirectory, writeJsonAtomic } from './atomic-write';
import { ConfigError, RunMismatchError } from './errors';
import { sha256File } from './file-hash';
import { describeJsonValue, diffJson } from './json-diff';
import { JsonlWriter } from './jsonl-writer';
import type { RngSeed } from './rng';
import { validate } from './validation';

/** Lifecycle of a run as recorded in its manifest. */
export type RunStatus = 'running' | 'completed' | 'failed';

const isoTime = z.iso.datetime({ offset: true });

/** One input file of a run: where it was read from and what it contained. */
export const runInputSchema = z.object({
  /** The path as given when the run was created. */
  path: z.string(),
  /** SHA-256 of the file's bytes, 64 hex digits. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits'),
  /** Size in bytes. */
  bytes: z.int().nonnegative(),
});

/** A recorded input file. */
export type RunInput = z.output<typeof runInputSchema>;

/** An entry of the run's history: each creation, resume and status change. */
export const runEventSchema = z.object({
  event: z.enum(['created', 'resumed', 'completed', 'failed']),
  at: isoTime,
  /** Versions of the packages in use at that moment (creation and resumes). */
  packages: z.record(z.string(), z.string()).optional(),
  /** What went wrong, for `failed`. */
  message: z.string().optional(),
});

/** An entry of {@link RunManifest.history}. */
export type RunEvent = z.output<typeof runEventSchema>;

/**
 * `manifest.json` of a run directory. Unknown keys are kept (a newer version may add some), so
 * rewriting the manifest never loses what it did not understand.
 */
export const runManifestSchema = z.looseObject({
  formatVersion: z.literal(1),
  name: z.string(),
  status: z.enum(['running', 'completed', 'failed']),
  seed: z.union([z.int(), z.string()]),
  /** The resolved configuration (also written to `config.json`). */
  config: z.record(z.string(), z.unknown()),
  /** Input files by label. */
  inputs: z.record(z.string(), runInputSchema),
  /** Versions of the `@diffchat/*` packages (and any others the caller names) at creation. */
  packages: z.record(z.string(), z.string()),
  /** `process.version` at creation. */
  node: z.string(),
  createdAt: isoTime,
  updatedAt: isoTime,
  history: z.array(runEventSchema),
});

/** The parsed `manifest.json`. */
export type RunManifest = z.output<typeof runManifestSchema>;

/** Options of {@link createRun}. */
export interface CreateRunOptions {
  /** Folder holding runs (default `runs`). */
  root?: string;
  /** The run's folder name: letters, digits, `.`, `_`, `-`, not starting with `.`. */
  name: string;
  /** The resolved configuration: a JSON object (compared as JSON on resume). */
  config: Record<string, unknown>;
  /** The run's seed (see `createRng`). */
  seed: RngSeed;
  /** Input files to hash, by label (`{ train: 'data/train.jsonl' }`), or a list of paths (each its own label). */
  inputs?: Record<string, string> | readonly string[];
  /** Package versions to record besides `@diffchat/core`'s, e.g. from {@link resolvePackageVersions}. */
  packages?: Record<string, string>;
  /**
   * Top-level config keys that may differ when resuming, such as the run's own path (so a run
   * directory moved elsewhere resumes); the manifest then records their new values. Default none.
   */
  resumeIgnores?: readonly string[];
  /** An existing run: `resume` it (default; the config, seed and inputs must match) or throw (`error`). */
  ifExists?: 'resume' | 'error';
  /** The current time (default `new Date()`); injectable for tests. */
  now?: () => Date;
}

const runNamePattern = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const manifestFile = 'manifest.json';
const checkpointPattern = /^step-(\d+)$/;

/**
 * Versions of installed packages, resolved the way `require` would from `from` (a file path or
 * `import.meta.url` of the caller). Names that cannot be resolved are left out.
 */
export function resolvePackageVersions(names: readonly string[], from: string | URL): Record<string, string> {
  const require = createRequire(from);
  const versions: Record<string, string> = {};
  for (const name of names) {
    try {
      const found = require(`${name}/package.json`) as { version?: unknown };
      if (typeof found.version === 'string') versions[name] = found.version;
    } catch {
      // Not installed, or its exports map hides package.json: nothing to record.
    }
  }
  return versions;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );
}

async function hashInputs(inputs: CreateRunOptions['inputs']): Promise<Record<string, RunInput>> {
  const entries: [string, string][] = Array.isArray(inputs)
    ? inputs.map((path) => [path, path])
    : Object.entries((inputs ?? {}) as Record<string, string>);
  const hashed: Record<string, RunInput> = {};
  for (const [label, path] of entries) {
    if (!(await exists(path))) throw new ConfigError(`input "${label}": ${path} does not exist`);
    hashed[label] = { path, sha256: await sha256File(path), bytes: (await stat(path)).size };
  }
  return hashed;
}

/** JSON round trip, so that what is compared on resume is exactly what was written. */
function asJson(config: Record<string, unknown>): Record<string, unknown> {
  const text = JSON.stringify(config);
  if (text === undefined) throw new ConfigError('createRun: config has no JSON form');
  return validate(z.record(z.string(), z.unknown()), JSON.parse(text), 'config');
}

function differences(
  manifest: RunManifest,
  config: Record<string, unknown>,
  seed: RngSeed,
  inputs: Record<string, RunInput>,
) {
  const found: string[] = [];
  if (String(manifest.seed) !== String(seed)) found.push(`seed: ${manifest.seed} in the run, ${seed} now`);
  for (const difference of diffJson(manifest.config, config, 'config')) {
    found.push(
      `${difference.path}: ${describeJsonValue(difference.before)} in the run, ${describeJsonValue(difference.after)} now`,
    );
  }
  const labels = [...new Set([...Object.keys(manifest.inputs), ...Object.keys(inputs)])].sort();
  for (const label of labels) {
    const before = manifest.inputs[label];
    const after = inputs[label];
    if (after === undefined) found.push(`input "${label}" (${before?.path}): in the run, not given now`);
    else if (before === undefined) found.push(`input "${label}" (${after.path}): not in the run, given now`);
    else if (before.sha256 !== after.sha256) {
      found.push(
        `input "${label}": content changed (sha256 ${before.sha256.slice(0, 12)}… of ${before.bytes} bytes at ${before.path} in the run, ` +
          `${after.sha256.slice(0, 12)}… of ${after.bytes} bytes at ${after.path} now)`,
      );
    }
  }
  return found;
}

/**
 * A run's folder: `config.json`, `manifest.json`, `metrics.jsonl`, `checkpoints/`. Create or resume
 * one with {@link createRun}, open one for reading with {@link openRun}. One process per run: two
 * processes writing the same run are not coordinated.
 */
export class RunDirectory {
  /** The run's folder. */
  readonly path: string;
  /** Whether an existing run was reopened (by `createRun` resuming, or `openRun`). */
  readonly resumed: boolean;
  #manifest: RunManifest;
  #metrics: Promise<JsonlWriter<Record<string, unknown>>> | undefined;
  readonly #now: () => Date;

  private constructor(path: string, manifest: RunManifest, resumed: boolean, now: () => Date) {
    this.path = path;
    this.#manifest = manifest;
    this.resumed = resumed;
    this.#now = now;
  }

  /** @internal Used by {@link createRun} and {@link openRun}. */
  static async fromManifest(path: string, manifest: RunManifest, resumed: boolean, now: () => Date) {
    await mkdir(join(path, 'checkpoints'), { recursive: true });
    return new RunDirectory(path, manifest, resumed, now);
  }

  /** The run's name (its folder name). */
  get name(): string {
    return this.#manifest.name;
  }

  /** A copy of the current manifest. */
  get manifest(): RunManifest {
    return structuredClone(this.#manifest);
  }

  /** The resolved configuration the run was created with. */
  get config(): Record<string, unknown> {
    return structuredClone(this.#manifest.config);
  }

  /** `<run>/manifest.json`. */
  get manifestPath(): string {
    return join(this.path, manifestFile);
  }

  /** `<run>/config.json`. */
  get configPath(): string {
    return join(this.path, 'config.json');
  }

  /** `<run>/metrics.jsonl`. */
  get metricsPath(): string {
    return join(this.path, 'metrics.jsonl');
  }

  /** `<run>/checkpoints`. */
  get checkpointsPath(): string {
    return join(this.path, 'checkpoints');
  }

  /**
   * Appends one line to `metrics.jsonl`: `{ "time": ISO-8601, ...metrics }`. Resuming keeps the
   * earlier lines (a torn last line from a crash is cut), so after a resume the same `step` can
   * appear twice; readers keep the last line of each step.
   */
  async logMetrics(metrics: Record<string, number | string | boolean | null>): Promise<void> {
    this.#metrics ??= JsonlWriter.open<z.ZodType<Record<string, unknown>>>(this.metricsPath, { mode: 'resume' });
    await (await this.#metrics).write({ time: this.#now().toISOString(), ...metrics });
  }

  /** `<run>/checkpoints/step-00000100` for step 100 (8 digits, so names sort by step). */
  checkpointPath(step: number): string {
    if (!(Number.isSafeInteger(step) && step >= 0))
      throw new ConfigError(`checkpoint step must be an integer >= 0, got ${step}`);
    return join(this.checkpointsPath, `step-${String(step).padStart(8, '0')}`);
  }

  /** Steps of the complete checkpoints, ascending (half-written ones are not listed). */
  async listCheckpoints(): Promise<number[]> {
    const names = await readdir(this.checkpointsPath);
    return names
      .map((name) => checkpointPattern.exec(name)?.[1])
      .filter((step): step is string => step !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** The newest complete checkpoint, or `undefined` when there is none (a fresh run). */
  async latestCheckpoint(): Promise<{ step: number; path: string } | undefined> {
    const step = (await this.listCheckpoints()).at(-1);
    return step === undefined ? undefined : { step, path: this.checkpointPath(step) };
  }

  /**
   * Saves a checkpoint atomically: `write` fills a temporary folder, which is then renamed to
   * {@link checkpointPath}(step), so a crash never leaves a half-written checkpoint under that
   * name. A checkpoint already saved for this step is replaced. Returns the checkpoint's path.
   */
  async saveCheckpoint(step: number, write: (directory: string) => Promise<void>): Promise<string> {
    const target = this.checkpointPath(step);
    const temporary = `${target}.partial-${process.pid}`;
    await rm(temporary, { recursive: true, force: true });
    await mkdir(temporary, { recursive: true });
    try {
      await write(temporary);
      await syncDirectory(temporary);
      await rm(target, { recursive: true, force: true });
      await rename(temporary, target);
      await syncDirectory(this.checkpointsPath);
    } catch (error) {
      await rm(temporary, { recursive: true, force: true });
      throw error;
    }
    return target;
  }

  /** Records a status change in the manifest (`updatedAt`, `status`, a history entry). */
  async setStatus(status: RunStatus, message?: string): Promise<void> {
    const at = this.#now().toISOString();
    const event: RunEvent = { event: status === 'running' ? 'resumed' : status, at };
    if (message !== undefined) event.message = message;
    const manifest = { ...this.#manifest, status, updatedAt: at, history: [...this.#manifest.history, event] };
    await writeJsonAtomic(this.manifestPath, manifest);
    this.#manifest = manifest;
  }

  /** Marks the run completed and closes the metrics file. */
  async complete(): Promise<void> {
    await this.close();
    await this.setStatus('completed');
  }

  /** Marks the run failed with the error's message and closes the metrics file. */
  async fail(error: unknown): Promise<void> {
    await this.close();
    await this.setStatus('failed', error instanceof Error ? error.message : String(error));
  }

  /** Flushes and closes `metrics.jsonl` (the run can log again afterwards; it reopens the file). */
  async close(): Promise<void> {
    const metrics = this.#metrics;
    this.#metrics = undefined;
    if (metrics !== undefined) await (await metrics).close();
  }
}

/**
 * Creates `root/name/` with `config.json`, `manifest.json`, `checkpoints/` (and `metrics.jsonl`
 * on first log), or resumes it if it exists: then the seed, config and input files' SHA-256 must
 * match what the run recorded, or a {@link RunMismatchError} lists every difference; on success the
 * manifest records the resume (status `running`, a history entry with today's package versions).
 *
 * @example
 * const run = await createRun({ name: 'sft-small', config, seed: 42, inputs: { train: 'data/train.jsonl' } });
 * const start = (await run.latestCheckpoint())?.step ?? 0;
 * await run.logMetrics({ step, loss });
 * await run.complete();
 */
export async function createRun(options: CreateRunOptions): Promise<RunDirectory> {
  const { name, seed } = options;
  if (typeof name !== 'string' || !runNamePattern.test(name)) {
    throw new ConfigError(
      `run name must be letters, digits, '.', '_' or '-' (not starting with '.'), got ${JSON.stringify(name)}`,
    );
  }
  if (!(typeof seed === 'string' || Number.isSafeInteger(seed))) {
    throw new ConfigError(`seed must be a safe integer or a string, got ${seed}`);
  }
  const now = options.now ?? (() => new Date());
  const path = join(options.root ?? 'runs', name);
  const config = asJson(options.config);
  const inputs = await hashInputs(options.inputs);
  const packages = { ...options.packages, [corePackageName]: corePackageVersion };
  const manifestPath = join(path, manifestFile);

  if (await exists(manifestPath)) {
    if (options.ifExists === 'error') throw new ConfigError(`run ${path} already exists`);
    const manifest = await readJsonFile(manifestPath, runManifestSchema);
    const ignored = new Set(options.resumeIgnores ?? []);
    const compared = (values: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(values).filter(([key]) => !ignored.has(key)));
    const found = differences({ ...manifest, config: compared(manifest.config) }, compared(config), seed, inputs);
    if (found.length > 0) throw new RunMismatchError(path, found);
    const at = now().toISOString();
    const resumed: RunManifest = {
      ...manifest,
      config: { ...manifest.config, ...Object.fromEntries(Object.entries(config).filter(([key]) => ignored.has(key))) },
      status: 'running',
      updatedAt: at,
      history: [...manifest.history, { event: 'resumed', at, packages }],
    };
    await writeJsonAtomic(manifestPath, resumed);
    return RunDirectory.fromManifest(path, resumed, true, now);
  }

  if (await exists(path)) {
    // A folder without a manifest is either a creation that crashed before its last step, or not a run at all.
    const leftovers = (await readdir(path)).filter((entry) => entry !== 'config.json' && entry !== 'checkpoints');
    const checkpoints = (await exists(join(path, 'checkpoints'))) ? await readdir(join(path, 'checkpoints')) : [];
    if (leftovers.length > 0 || checkpoints.length > 0) {
      throw new ConfigError(
        `${path} exists but has no ${manifestFile}: not a run directory (found ${[...leftovers, ...checkpoints].join(', ')})`,
      );
    }
  }
  await mkdir(join(path, 'checkpoints'), { recursive: true });
  const at = now().toISOString();
  const manifest: RunManifest = {
    formatVersion: 1,
    name,
    status: 'running',
    seed,
    config,
    inputs,
    packages,
    node: process.version,
    createdAt: at,
    updatedAt: at,
    history: [{ event: 'created', at, packages }],
  };
  await writeJsonAtomic(join(path, 'config.json'), config);
  // The manifest is written last: its presence is what makes the folder a run.
  await writeJsonAtomic(manifestPath, manifest);
  return RunDirectory.fromManifest(path, manifest, false, now);
}

/**
 * Opens an existing run (for evaluation, inspection, or to log more) without comparing its
 * settings; its manifest is validated and a bad field is named.
 */
export async function openRun(path: string, options: { now?: () => Date } = {}): Promise<RunDirectory> {
  const manifest = await readJsonFile(join(path, manifestFile), runManifestSchema);
  return RunDirectory.fromManifest(path, manifest, true, options.now ?? (() => new Date()));
}
