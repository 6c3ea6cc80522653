import { createRng } from '@diffchat/core';
import { EDIT_TYPES, generateTriplet } from '@diffchat/world';
import { describe, expect, it } from 'vitest';
import { contentIntegrity } from './content-integrity';

// An independent reference: the prompt world of @diffchat/core draws a scene, an edit, phrases the edit in one of
// its many instruction templates and writes the edited scene's canonical prompt. That prompt is a correct target
// by construction, so the instruction semantics must keep all of its required keywords and forbid none of them.
describe('extractKeyInfo on prompt-world edits', () => {
  it.each([1, 2])('gives every ground-truth output coverage 1 and no forbidden keyword (seed %i)', (seed) => {
    const rng = createRng(`key-info-world:${seed}`);
    const random = () => rng.next();
    const failures: string[] = [];
    const operations = new Set<string>();
    for (let index = 0; index < 1000; index++) {
      const triplet = generateTriplet(random);
      operations.add((triplet.meta.operation as { type: string }).type);
      const result = contentIntegrity({ source: triplet.input, instruction: triplet.edit, target: triplet.output });
      if (result.coverage < 1 || result.forbidden.length > 0) {
        failures.push(`${triplet.input} | ${triplet.edit} | missing ${result.missing} | forbidden ${result.forbidden}`);
      }
    }
    // Every kind of edit the world makes was drawn.
    expect([...operations].sort()).toEqual([...EDIT_TYPES].sort());
    expect(failures).toEqual([]);
  });
});
