import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { contentIntegrity, defaultContentIntegrityThreshold } from './content-integrity';
import { RewardError } from './errors';

/** Why a labelled wrong target is wrong. */
export const failureKinds = [
  'content-dropped',
  'instruction-ignored',
  'object-kept',
  'wrong-value',
  'contradiction-kept',
] as const;

const targetSchema = z.strictObject({
  text: z.string().min(1),
  label: z.union([z.literal(0), z.literal(1)]),
  failure: z.enum(failureKinds).optional(),
});

const caseSchema = z.strictObject({
  id: z.string().min(1),
  form: z.string().min(1),
  source: z.string().min(1),
  instruction: z.string(),
  targets: z.array(targetSchema).min(1),
});

const MAX_CASE_FILE_BYTES = 64 * 1024 * 1024;

/** One labelled case: a source, an instruction and targets a judge marked right (1) or wrong (0). */
export type ContentIntegrityCase = z.output<typeof caseSchema>;

/** A target on which the reward and the label disagree. */
export interface CaseDisagreement {
  id: string;
  form: string;
  source: string;
  instruction: string;
  target: string;
  label: 0 | 1;
  failure?: string;
  reward: 0 | 1;
  missing: string[];
  forbidden: string[];
}

/** Agreement of the binary reward with the labels of a case set. */
export interface CaseAgreement {
  /** Fraction of labelled targets on which reward === label. */
  agreement: number;
  targets: number;
  disagreements: CaseDisagreement[];
}

/**
 * Reads a JSON array of labelled cases (see the README of the package for the format).
 * @throws RewardError naming the file and the first bad field.
 */
export function readContentIntegrityCases(path: string): ContentIntegrityCase[] {
  let value: unknown;
  try {
    // Case files are written by hand: thousands of cases fit in a few megabytes, so a larger file is a mistake.
    const bytes = statSync(path).size;
    if (bytes > MAX_CASE_FILE_BYTES) throw new Error(`${bytes} bytes, more than the ${MAX_CASE_FILE_BYTES} allowed`);
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new RewardError(path, `cannot read the cases (${(error as Error).message})`);
  }
  const parsed = z.array(caseSchema).safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
    throw new RewardError(`${path}: ${field}`, issue.message);
  }
  return parsed.data;
}

/** Scores every target of the cases and compares the binary reward with its label. */
export function caseAgreement(
  cases: readonly ContentIntegrityCase[],
  threshold = defaultContentIntegrityThreshold,
): CaseAgreement {
  let targets = 0;
  const disagreements: CaseDisagreement[] = [];
  for (const item of cases) {
    for (const target of item.targets) {
      targets++;
      const result = contentIntegrity(
        { source: item.source, instruction: item.instruction, target: target.text },
        { threshold },
      );
      if (result.reward === target.label) continue;
      disagreements.push({
        id: item.id,
        form: item.form,
        source: item.source,
        instruction: item.instruction,
        target: target.text,
        label: target.label,
        ...(target.failure === undefined ? {} : { failure: target.failure }),
        reward: result.reward,
        missing: result.missing,
        forbidden: result.forbidden,
      });
    }
  }
  return { agreement: targets === 0 ? 1 : 1 - disagreements.length / targets, targets, disagreements };
}
