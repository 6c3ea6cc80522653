import { RewardError } from './errors';
import { keyInfoOf } from './key-info';
import { containsKeyword, vocabularyOf } from './text-analysis';

/** A source prompt, an edit instruction and the target prompt written for them. */
export interface ContentIntegrityInput {
  source: string;
  /** May be empty: then the target must keep the source's key information. */
  instruction: string;
  target: string;
}

/** Options of {@link contentIntegrity}. */
export interface ContentIntegrityOptions {
  /** Minimum coverage for the binary reward to be 1; in [0, 1]. Default 0.8. */
  threshold?: number;
}

/** How well a target prompt keeps the key information of its source and instruction. */
export interface ContentIntegrityResult {
  /** Fraction of the required keywords present in the target, in [0, 1]; 1 when nothing is required. */
  coverage: number;
  /**
   * The paper's binary reward: 1 when coverage >= threshold, every keyword the instruction brings in is present
   * (a target that ignores the instruction fails however much of the source it keeps) and no forbidden keyword
   * appears, else 0.
   */
  reward: 0 | 1;
  /** Required keywords found in the target. */
  kept: string[];
  /** Required keywords absent from the target. */
  missing: string[];
  /**
   * Forbidden keywords (removed, replaced or changed by the instruction, and states the instruction rules out,
   * such as `daylight` after "make it night") that the target contains.
   */
  forbidden: string[];
  /** Every keyword that was required: `kept` and `missing` together, in order. */
  required: string[];
}

/** The default coverage threshold of the binary content-integrity reward. */
export const defaultContentIntegrityThreshold = 0.8;

/** Validates a coverage threshold; `field` names it in the caller's terms. */
export function checkThreshold(threshold: unknown, field: string): number {
  if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
    throw new RewardError(field, `expected a number in [0, 1], got ${String(threshold)}`);
  }
  return threshold;
}

function requireText(value: unknown, field: string, allowEmpty: boolean): string {
  if (typeof value !== 'string') throw new RewardError(field, `expected a string, got ${typeof value}`);
  if (!allowEmpty && value.trim() === '') throw new RewardError(field, 'the prompt is empty');
  return value;
}

// Split as the target's vocabulary is ("1940s" is "1940" and "s" there).
function lemmasOf(keyword: string): string[] {
  return keyword.match(/\p{L}+|\p{N}+/gu) ?? [keyword];
}

function present(target: ReadonlySet<string>, keyword: string): boolean {
  return containsKeyword(target, { lemmas: lemmasOf(keyword) });
}

/**
 * Scores the content integrity of a target prompt: which required keywords of the source and the instruction it
 * keeps (see {@link extractKeyInfo} for the instruction semantics), which forbidden ones it still contains, and the
 * binary reward.
 *
 * @param fieldPrefix - prefix for error fields, e.g. `records[3].` when called for a batch.
 * @throws {@link RewardError} on an empty source or target, a non-string field, or a threshold outside [0, 1].
 */
export function contentIntegrity(
  input: ContentIntegrityInput,
  options: ContentIntegrityOptions = {},
  fieldPrefix = '',
): ContentIntegrityResult {
  if (typeof input !== 'object' || input === null) {
    throw new RewardError(fieldPrefix || 'input', 'expected { source, instruction, target }');
  }
  const source = requireText(input.source, `${fieldPrefix}source`, false);
  const instruction = requireText(input.instruction ?? '', `${fieldPrefix}instruction`, true);
  const target = requireText(input.target, `${fieldPrefix}target`, false);
  const threshold = checkThreshold(options.threshold ?? defaultContentIntegrityThreshold, 'threshold');

  const info = keyInfoOf(source, instruction);
  const analysis = vocabularyOf(target);
  const kept: string[] = [];
  const missing: string[] = [];
  for (const keyword of info.required) (present(analysis, keyword) ? kept : missing).push(keyword);
  const forbidden = [...info.forbidden, ...info.ruledOut].filter((keyword) => present(analysis, keyword));
  const coverage = info.required.length === 0 ? 1 : kept.length / info.required.length;
  const followed = info.add.every((keyword) => present(analysis, keyword));
  return {
    coverage,
    reward: coverage >= threshold && followed && forbidden.length === 0 ? 1 : 0,
    kept,
    missing,
    forbidden,
    required: [...info.required],
  };
}

/**
 * The fraction of the keywords of `simple` that `output` keeps, in [0, 1] (1 when `simple` has none). The dataset
 * builder uses it to pick, of the two beautified sides of a triplet, the one that kept more of its caption.
 *
 * @throws {@link RewardError} when either text is empty or not a string.
 */
export function keywordRetention(simple: string, output: string): number {
  requireText(simple, 'simple', false);
  requireText(output, 'output', false);
  return contentIntegrity({ source: simple, instruction: '', target: output }).coverage;
}
