import { describe, expect, it } from 'vitest';
import { parsePrompt } from './parse-prompt';
import { parseInstruction, rewriteWithInstruction } from './rewriter';
import { seededRandom } from './seeded-random.test-support';
import { generateTriplet } from './triplet';

describe('rewriteWithInstruction', () => {
  it('follows hand-written instructions', () => {
    const cases: Array<[string, string, string]> = [
      ['a red fox in a forest', 'make it night', 'a red fox in a forest at night'],
      ['a woman on a street', 'add a red scarf', 'a woman and a red scarf on a street'],
      // Not the world's canonical wording, so edited in place: the sofa keeps its place.
      ['a cat on a sofa', 'turn the cat into a dog', 'a dog on a sofa'],
      ['a car and a house in a city', 'remove the car', 'a house in a city'],
      ['a cabin in the mountains', 'let it snow', 'a cabin in the mountains in the snow'],
      ['two blue birds', 'make the birds yellow', 'two yellow birds'],
      ['two blue birds', 'I want five birds', 'five blue birds'],
      ['a chair in a room', 'make the chair out of glass', 'a glass chair in a room'],
      ['a lighthouse by a lake, cinematic', 'make it a watercolour painting', 'a lighthouse by a lake, watercolour'],
      ['a tent in a desert', 'move it to the beach', 'a tent on a beach'],
      ['a tree in a field', 'make it autumn', 'a tree in a field in autumn'],
      ['a ship on the ocean at dawn', 'add a storm', 'a ship on the ocean at dawn during a storm'],
    ];
    for (const [prompt, instruction, expected] of cases) {
      expect(rewriteWithInstruction(prompt, instruction), instruction).toBe(expected);
    }
  });

  it('applies compound instructions clause by clause, and reads a clause that means nothing as part of the whole', () => {
    expect(rewriteWithInstruction('a red fox in a forest', 'make it night and let it snow')).toBe(
      'a red fox in a forest at night in the snow',
    );
    expect(
      rewriteWithInstruction('a woman on a street', 'add a cat, then make the cat black; in pixel art style'),
    ).toBe('a woman and a black cat on a street, pixel art');
    expect(rewriteWithInstruction('a cat and a dog', 'add a bird and a ball')).toBe('a cat, a dog, a bird and a ball');
    expect(rewriteWithInstruction('a cat and a sofa in a room', 'turn the cat and the sofa into a dog')).toBe(
      'a dog and a sofa in a room',
    );
  });

  it('adds the new thing of a replacement whose old thing is not in the picture', () => {
    const prompt = 'a claymation scene of a dinosaur eating breakfast';
    expect(rewriteWithInstruction(prompt, 'replace the dog with a cat')).not.toMatch(/\bdog\b/);
    expect(rewriteWithInstruction(prompt, 'replace the dog with a cat')).toMatch(/\bcat\b/);
    expect(rewriteWithInstruction('a fox in a forest', 'have a cat instead of the dog')).toMatch(/\bcat\b/);
    expect(rewriteWithInstruction('a fox in a forest', 'have a cat instead of the dog')).not.toMatch(/\bdog\b/);
  });

  it('returns the prompt unchanged for an instruction it cannot read', () => {
    expect(rewriteWithInstruction('a fox in a forest', 'hmm, not sure')).toBe('a fox in a forest');
  });

  it('recovers the ground-truth operation and output of generated triplets', () => {
    for (let seed = 100_000; seed < 103_000; seed++) {
      const triplet = generateTriplet(seededRandom(seed));
      expect(parseInstruction(triplet.edit, parsePrompt(triplet.input).scene), triplet.edit).toEqual(
        triplet.meta.operation,
      );
      expect(rewriteWithInstruction(triplet.input, triplet.edit)).toBe(triplet.output);
    }
  });
});
