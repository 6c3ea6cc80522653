import { z } from 'zod';
import { RewardError } from './errors';

/** Edit distance (insertions, deletions, substitutions) between two names. */
function editDistance(from: string, to: string): number {
  let previous = Array.from({ length: to.length + 1 }, (_, index) => index);
  for (let i = 1; i <= from.length; i++) {
    const current = [i];
    for (let j = 1; j <= to.length; j++) {
      const substitution = previous[j - 1]! + (from[i - 1] === to[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[to.length]!;
}

/**
 * The candidate closest to a misspelt `name`, compared without case, or undefined when none is close: at most two
 * edits, and fewer than half the name's length so that short names do not match everything.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.min(2, Math.ceil(name.length / 2) - 1);
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= bestDistance && (best === undefined || distance < bestDistance)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Turns the first issue of a failed schema check into a {@link RewardError} naming the field under `prefix`.
 *
 * @param knownOptions - the names the schema accepts at its top level; an unknown option close to one of them is
 *   reported with a "did you mean" (`promptLength: unknown option "maxWord" (did you mean "maxWords"?)`).
 */
export function configError(error: z.ZodError, prefix: string, knownOptions: readonly string[] = []): RewardError {
  const issue = error.issues[0]!;
  const path = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => `"${key}"`).join(', ');
    // Suggestions come from the top-level names only: nested objects' names are not known here.
    const suggestions = path === '' ? issue.keys.map((key) => closestName(key, knownOptions)) : [];
    const hints = [...new Set(suggestions.filter((name) => name !== undefined))].map((name) => `"${name}"`);
    const hint = hints.length > 0 ? ` (did you mean ${hints.join(' or ')}?)` : '';
    return new RewardError(`${prefix}${path}`, `unknown option${issue.keys.length > 1 ? 's' : ''} ${keys}${hint}`);
  }
  return new RewardError(`${prefix}${path}`, issue.message);
}

/**
 * Checks a config entry's options against a schema and returns them parsed (defaults filled in). An object schema
 * that strips unknown keys (plain `z.object`) is checked strictly, so a misspelt option is an error, not ignored;
 * one that says what to do with them (`z.looseObject`, `.catchall(...)`) is used as it is.
 *
 * @param field - how errors name the options, e.g. the config key `promptLength`.
 * @throws {@link RewardError} naming the first bad field: `promptLength.maxWords: ...` for a wrong value,
 *   `promptLength: unknown option "maxWord" (did you mean "maxWords"?)` for an unknown one.
 */
export function parseOptions<Schema extends z.ZodType>(
  schema: Schema,
  options: unknown,
  field: string,
): z.output<Schema> {
  const isObject = schema instanceof z.ZodObject;
  const checked = isObject && schema.def.catchall === undefined ? schema.strict() : schema;
  const parsed = checked.safeParse(options);
  if (!parsed.success) throw configError(parsed.error, field, isObject ? Object.keys(schema.shape) : []);
  return parsed.data as z.output<Schema>;
}
