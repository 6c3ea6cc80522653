import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, DiffchatError, JsonlError, RunMismatchError, ValidationError } from './errors';
import { describeIssues, formatFieldPath, validate } from './validation';

describe('validate', () => {
  const schema = z.strictObject({
    name: z.string(),
    tags: z.array(z.string()),
    nested: z.object({ depth: z.number() }),
  });

  it('returns the parsed value', () => {
    const value = { name: 'n', tags: ['a'], nested: { depth: 1 } };
    expect(validate(schema, value, 'config')).toEqual(value);
  });

  it('throws a ValidationError naming the source and every field path', () => {
    const error = (() => {
      try {
        validate(schema, { tags: ['a', 2], nested: { depth: 'deep' }, extra: true }, 'run.json');
      } catch (caught) {
        return caught as ValidationError;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error?.code).toBe('VALIDATION');
    expect(error?.source).toBe('run.json');
    expect(error?.issues.map((issue) => formatFieldPath(issue.path))).toEqual(['name', 'tags[1]', 'nested.depth', '']);
    expect(error?.message).toBe(
      'run.json: field "name": missing (expected string); field "tags[1]": expected string, received number; ' +
        'field "nested.depth": expected number, received string; and 1 more',
    );
  });

  it('formats root issues without a field name', () => {
    expect(describeIssues([{ path: [], message: 'expected object, received null' }])).toBe(
      'expected object, received null',
    );
  });
});

describe('errors', () => {
  it('carry a code and their class name, and all derive from DiffchatError', () => {
    const errors = [
      new ValidationError('m', []),
      new JsonlError('f.jsonl', 4, 'json', 'invalid JSON'),
      new ConfigError('bad flag --lr'),
      new RunMismatchError('runs/a', ['seed: 1 in the run, 2 now']),
    ];
    expect(errors.map((error) => [error.name, error.code, error instanceof DiffchatError])).toEqual([
      ['ValidationError', 'VALIDATION', true],
      ['JsonlError', 'JSONL', true],
      ['ConfigError', 'CONFIG', true],
      ['RunMismatchError', 'RUN_MISMATCH', true],
    ]);
    expect(errors[1]?.message).toBe('f.jsonl:4: invalid JSON');
    expect(errors[3]?.message).toBe(
      'cannot resume runs/a: it was started with different settings:\n  seed: 1 in the run, 2 now',
    );
  });
});
