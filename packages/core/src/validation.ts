import type { z } from 'zod';
import { ValidationError, type ValidationIssue } from './errors';

/** Renders an issue path the way a reader writes it in code: `meta.tags[2]`; empty for the root. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text;
}

function hasPath(value: unknown, path: readonly PropertyKey[]): boolean {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return false;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return true;
}

/**
 * Turns schema-library issues into {@link ValidationIssue}s with short messages. A required field
 * that is absent reads "missing" rather than "received undefined", which is what a user fixes.
 */
export function toValidationIssues(issues: readonly z.core.$ZodIssue[], value: unknown): ValidationIssue[] {
  return issues.map((issue) => {
    let message = issue.message.replace(/^Invalid input: /, '');
    if (issue.code === 'invalid_type' && issue.path.length > 0 && !hasPath(value, issue.path)) {
      message = `missing (expected ${issue.expected})`;
    }
    return { path: issue.path.filter((key) => typeof key !== 'symbol'), message };
  });
}

const shownIssues = 3;

/** One-line summary of issues: `field "edit": expected string; field "id": missing (expected string)`. */
export function describeIssues(issues: readonly ValidationIssue[]): string {
  const parts = issues.slice(0, shownIssues).map((issue) => {
    const field = formatFieldPath(issue.path);
    return field === '' ? issue.message : `field "${field}": ${issue.message}`;
  });
  if (issues.length > shownIssues) parts.push(`and ${issues.length - shownIssues} more`);
  return parts.join('; ');
}

/**
 * Checks `value` against `schema` and returns the parsed output, or throws a {@link ValidationError}
 * whose message starts with `source` (a file name, `config`, ...).
 */
export function validate<Schema extends z.ZodType>(schema: Schema, value: unknown, source: string): z.output<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = toValidationIssues(result.error.issues, value);
  throw new ValidationError(`${source}: ${describeIssues(issues)}`, issues, source, { cause: result.error });
}
