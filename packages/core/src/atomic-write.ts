import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { z } from 'zod';
import { ValidationError } from './errors';
import { isProcessAlive } from './process-alive';
import { validate } from './validation';

/**
 * Flushes a directory's entry list to disk, so a rename or a new file inside it survives a power
 * loss. Best effort: some platforms and file systems cannot open or sync a directory.
 */
export async function syncDirectory(directory: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // Not supported here (e.g. Windows); the file itself is already synced.
  } finally {
    await handle?.close();
  }
}

/** `.<name>.<pid>.<random>.tmp`: the writer's pid is in the name so a later write can tell a dead writer's leftover. */
function temporaryNameOf(name: string): string {
  return `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

/**
 * Removes temporary files that earlier writes of `path` left behind when their process was killed
 * mid-write. Only files named for this target whose writer process is gone are removed, so a
 * concurrent writer of the same file, and temporary files of other targets, are left alone.
 */
async function removeStaleTemporaryFiles(path: string): Promise<void> {
  const name = basename(path);
  const prefix = `.${name}.`;
  let entries: string[];
  try {
    entries = await readdir(dirname(path));
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.startsWith(prefix) || !entry.endsWith('.tmp')) continue;
    const owner = /^(\d+)\.[0-9a-f]{12}\.tmp$/.exec(entry.slice(prefix.length));
    if (owner === null) continue;
    const pid = Number(owner[1]);
    if (pid === process.pid || isProcessAlive(pid)) continue;
    await rm(join(dirname(path), entry), { force: true });
  }
}

/**
 * Replaces `path` with `data` all at once: readers see the old file or the new one, never a part.
 * Writes a temporary file beside it (`.<name>.<pid>.<random>.tmp`), syncs it, renames it over
 * `path`, then syncs the directory. Strings are written as UTF-8. Temporary files of `path` left by
 * writers that were killed midway (their process no longer runs) are removed first, so repeated
 * crashes do not pile up copies of a large file.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  // Through a symlink, the file it points to is replaced, not the link.
  const target = await realpath(path).catch(() => path);
  await removeStaleTemporaryFiles(target);
  // A replaced file keeps its permissions (e.g. a private key file stays 0600).
  const mode = await stat(target).then(
    (stats) => stats.mode & 0o7777,
    () => undefined,
  );
  const temporary = join(dirname(target), temporaryNameOf(basename(target)));
  try {
    const handle = await open(temporary, 'wx');
    try {
      if (mode !== undefined) await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(dirname(target));
}

/** Options of {@link writeJsonAtomic}. */
export interface WriteJsonOptions {
  /** Spaces of indentation (default 2); 0 writes one line. */
  indent?: number;
}

/** Writes `value` as JSON (with a final newline) through {@link writeFileAtomic}. */
export async function writeJsonAtomic(path: string, value: unknown, options: WriteJsonOptions = {}): Promise<void> {
  const text = JSON.stringify(value, null, options.indent ?? 2);
  if (text === undefined) throw new TypeError(`writeJsonAtomic(${path}): the value has no JSON form`);
  await writeFileAtomic(path, `${text}\n`);
}

/** 1-based line of a character offset, from the "position N" that V8's JSON.parse messages carry. */
function lineOfParseError(text: string, message: string): number | undefined {
  const position = /position (\d+)/.exec(message)?.[1];
  if (position === undefined) return undefined;
  let line = 1;
  for (let index = 0; index < Math.min(Number(position), text.length); index++)
    if (text.charCodeAt(index) === 10) line++;
  return line;
}

/**
 * Reads a JSON file (UTF-8, optional byte order mark) and validates it against `schema`. Either
 * failure throws a `ValidationError` naming the file: `run/manifest.json:3: invalid JSON: ...` or
 * `run/manifest.json: field "seed": expected number, received string`.
 */
export async function readJsonFile<Schema extends z.ZodType>(path: string, schema: Schema): Promise<z.output<Schema>> {
  const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    const message = (cause as Error).message;
    const line = lineOfParseError(text, message);
    throw new ValidationError(`${path}${line === undefined ? '' : `:${line}`}: invalid JSON: ${message}`, [], path, {
      cause,
    });
  }
  return validate(schema, value, path);
}
