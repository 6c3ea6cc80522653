import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseAgreement, failureKinds, readContentIntegrityCases } from './content-integrity-cases';
import { RewardError } from './errors';

const fixtures = join(__dirname, '..', 'fixtures');
const tuning = readContentIntegrityCases(join(fixtures, 'open-vocabulary-tuning.json'));
const heldOut = readContentIntegrityCases(join(fixtures, 'open-vocabulary-held-out.json'));
const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

// The two labelled sets were written for open-vocabulary content integrity, outside this package's code: realistic
// prompts, the instruction forms people write, a correct target and wrong targets of each failure kind. The
// held-out part was not looked at while the rules were tuned.
describe('open-vocabulary labelled cases', () => {
  it('hold 300+ cases over every instruction form, each with a right and a wrong target', () => {
    expect(tuning.length + heldOut.length).toBeGreaterThanOrEqual(300);
    expect(heldOut.length).toBeGreaterThanOrEqual(100);
    const ids = [...tuning, ...heldOut].map((item) => item.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const item of [...tuning, ...heldOut]) {
      expect(item.targets.some((target) => target.label === 1)).toBe(true);
      expect(item.targets.some((target) => target.label === 0)).toBe(true);
    }
    expect(new Set(heldOut.map((item) => item.form))).toEqual(new Set(tuning.map((item) => item.form)));
    const kinds = new Set(tuning.flatMap((item) => item.targets.map((target) => target.failure).filter(Boolean)));
    expect([...kinds].sort()).toEqual([...failureKinds].sort());
  });

  it('agree with the reward at the default threshold on >= 95% of the tuning targets', () => {
    expect(caseAgreement(tuning).agreement).toBeGreaterThanOrEqual(0.95);
  });

  it('agree with the reward at the default threshold on >= 90% of the held-out targets', () => {
    expect(caseAgreement(heldOut).agreement).toBeGreaterThanOrEqual(0.9);
  });

  it('have every disagreement listed in the README', () => {
    const listed = [...caseAgreement(tuning).disagreements, ...caseAgreement(heldOut).disagreements];
    for (const miss of listed) expect(readme).toContain(`| ${miss.id} |`);
  });
});

describe('readContentIntegrityCases', () => {
  const directory = mkdtempSync(join(tmpdir(), 'ci-cases-'));

  it('names the file and the field of a bad case', () => {
    const path = join(directory, 'bad.json');
    writeFileSync(path, JSON.stringify([{ id: 'a', form: 'add', source: 's', instruction: 'i', targets: [{}] }]));
    expect(() => readContentIntegrityCases(path)).toThrow(/bad\.json: \[0\]\.targets\[0\]\.text/);
  });

  it('refuses a file too large to be a hand-written case set, without reading it', () => {
    const path = join(directory, 'huge.json');
    writeFileSync(path, '');
    truncateSync(path, 65 * 1024 * 1024);
    expect(() => readContentIntegrityCases(path)).toThrow(/huge\.json: cannot read the cases \(68157440 bytes/);
  });

  it('rejects any other bytes with a RewardError naming the file', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const path = join(directory, 'random.json');
        writeFileSync(path, bytes);
        try {
          readContentIntegrityCases(path);
        } catch (error) {
          expect(error).toBeInstanceOf(RewardError);
          expect((error as RewardError).message).toContain('random.json');
        }
      }),
      { numRuns: 100 },
    );
  });
});
