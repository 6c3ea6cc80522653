import type { z } from 'zod';
import { RewardError } from './errors';

/** Turns the first issue of a failed schema check into a {@link RewardError} naming the field under `prefix`. */
export function configError(error: z.ZodError, prefix: string): RewardError {
  const issue = error.issues[0]!;
  const path = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => `"${key}"`).join(', ');
    return new RewardError(`${prefix}${path}`, `unknown option ${keys}`);
  }
  return new RewardError(`${prefix}${path}`, issue.message);
}
