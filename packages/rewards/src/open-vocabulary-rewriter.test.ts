import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rewriteWithInstruction } from '@diffchat/world';
import { describe, expect, it } from 'vitest';
import { contentIntegrity } from './content-integrity';

// 240 realistic prompts written outside the prompt world (most of their words are not in its vocabulary). The
// world's rule-based rewriter stands in for the dataset builder's LLM, so it must keep what people write.
const prompts = JSON.parse(
  readFileSync(join(__dirname, '..', '..', '..', 'fixtures', 'realistic-prompts.json'), 'utf8'),
) as string[];

describe('the rule-based rewriter on realistic prompts, judged by content integrity', () => {
  it('keeps every keyword of every prompt through "make it night" and adds the night', () => {
    const failures: string[] = [];
    for (const source of prompts) {
      const target = rewriteWithInstruction(source, 'make it night');
      const result = contentIntegrity({ source, instruction: 'make it night', target });
      if (result.missing.length > 0 || result.forbidden.length > 0 || result.reward !== 1) {
        failures.push(`${source} -> ${target}: missing ${result.missing}, forbidden ${result.forbidden}`);
      }
    }
    expect(prompts.length).toBeGreaterThanOrEqual(200);
    expect(failures).toEqual([]);
  });
});
