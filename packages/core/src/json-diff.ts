/** One difference between two JSON values: where, and the value on each side (`undefined` = absent). */
export interface JsonDifference {
  /** Path from the root, e.g. `config.optimizer.lr` or `config.layers[2]`. */
  path: string;
  before: unknown;
  after: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Every leaf where two JSON values differ, walking objects by key and arrays by index, in key
 * order. Values are compared as JSON (numbers by value, `-0` equal to `0`).
 */
export function diffJson(before: unknown, after: unknown, root = ''): JsonDifference[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => diffJson(before[key], after[key], root === '' ? key : `${root}.${key}`));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const differences: JsonDifference[] = [];
    for (let index = 0; index < Math.max(before.length, after.length); index++) {
      differences.push(...diffJson(before[index], after[index], `${root}[${index}]`));
    }
    return differences;
  }
  if (
    before === after ||
    (before !== undefined && after !== undefined && JSON.stringify(before) === JSON.stringify(after))
  ) {
    return [];
  }
  return [{ path: root, before, after }];
}

/** A short JSON rendering of a value for messages; `absent` for `undefined`, long values cut at 60 characters. */
export function describeJsonValue(value: unknown): string {
  if (value === undefined) return 'absent';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
