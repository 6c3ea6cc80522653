import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLexicon } from '@diffchat/lexicon';
import { describe, expect, it } from 'vitest';
import { rewriteWithInstruction } from './rewriter';

const fixture: string[] = JSON.parse(
  readFileSync(join(__dirname, '..', '..', '..', 'fixtures', 'realistic-prompts.json'), 'utf8'),
);

/** Whole words, lower-cased, as a reader compares them. */
function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+(?:['-][a-z0-9]+)*/g) ?? [];
}

// Written out here, not taken from the world's vocabulary: the words "make it night" may replace, the times of day
// and the daylight that night contradicts.
const TIMES_OF_DAY = new Set([
  'day',
  'sunny',
  'sunlit',
  'dawn',
  'sunrise',
  'morning',
  'noon',
  'midday',
  'afternoon',
  'sunset',
  'dusk',
  'twilight',
]);

describe('rewriteWithInstruction on prompts the world did not write', () => {
  it('edits in place, keeping every word the edit does not touch', () => {
    const cases: Array<[string, string, string]> = [
      [
        'portrait of an old fisherman smoking a pipe',
        'make it night',
        'portrait of an old fisherman smoking a pipe at night',
      ],
      ['a cat on a sofa', 'make it a dog', 'a dog on a sofa'],
      ['a busy cafe with people chatting', 'make it a library', 'a busy library with people chatting'],
      ['an old man reading', 'make him young', 'a young man reading'],
      ['children playing in the snow', 'make it summer', 'children playing in summer'],
      ['portrait of a Maasai warrior at sunrise', 'make it night', 'portrait of a Maasai warrior at night'],
      ['a foggy moor with a crumbling stone wall', 'make it snowy', 'a snowy moor with a crumbling stone wall'],
      [
        'a grandmother knitting by the fireplace',
        'add a red scarf',
        'a grandmother with a red scarf knitting by the fireplace',
      ],
      ['a cat on a sofa', 'remove the cat', 'a sofa'],
      ['a blacksmith hammering a glowing sword on an anvil', 'remove the blacksmith', 'a glowing sword on an anvil'],
      ['a cheeseburger with melted cheddar and crispy bacon', 'remove the bacon', 'a cheeseburger with melted cheddar'],
      ['a salt flat reflecting the sky like a mirror', 'without the mirror', 'a salt flat reflecting the sky'],
      [
        'a tabby kitten tangled in a ball of yarn',
        'replace the kitten with a fox',
        'a tabby fox tangled in a ball of yarn',
      ],
      ['a vintage film camera on a wooden desk', 'make the camera red', 'a red vintage film camera on a wooden desk'],
      [
        'a dragon sleeping on a pile of gold coins',
        'make the dragon out of glass',
        'a glass dragon sleeping on a pile of gold coins',
      ],
      ['pigeons gathered around an old man', 'make it three pigeons', 'three pigeons gathered around an old man'],
      [
        'an oil painting of a harbor at sunset',
        'make it a watercolour painting',
        'a watercolour painting of a harbor at sunset',
      ],
      ['an oil painting of a harbor', 'in the style of cubism', 'a painting of a harbor, in the style of cubism'],
      [
        'a snow globe with a tiny village inside',
        'in pixel art style',
        'a snow globe with a tiny village inside, pixel art',
      ],
      ['a lighthouse keeper climbing the stairs', 'let it rain', 'a lighthouse keeper climbing the stairs in the rain'],
      [
        'a fire hydrant spraying water on a hot summer day',
        'make it night',
        'a fire hydrant spraying water on a hot summer night',
      ],
      ['a robot tending a garden on a sunny afternoon', 'make it night', 'a robot tending a garden on a moonlit night'],
      ['a bonsai on a sunny windowsill', 'make it night', 'a bonsai on a windowsill at night'],
      [
        'a sushi platter on a slate board',
        'in the style of ukiyo-e',
        'a sushi platter on a slate board, in the style of ukiyo-e',
      ],
      [
        'a tiny cottage in the woods, smoke from the chimney',
        'move it to the beach',
        'a tiny cottage on a beach, smoke from the chimney',
      ],
    ];
    for (const [prompt, instruction, expected] of cases) {
      expect(rewriteWithInstruction(prompt, instruction), `${prompt} + ${instruction}`).toBe(expected);
    }
  });

  it('makes every realistic prompt night, keeping all of its words but the time of day and daylight it replaces', () => {
    expect(fixture).toHaveLength(240);
    for (const prompt of fixture) {
      const edited = rewriteWithInstruction(prompt, 'make it night');
      const kept = new Set(words(edited));
      expect(
        words(prompt).filter((word) => !kept.has(word) && !TIMES_OF_DAY.has(word)),
        edited,
      ).toEqual([]);
      expect(
        words(edited).some((word) => ['night', 'midnight'].includes(word)),
        edited,
      ).toBe(true);
    }
  });

  it('adds a red scarf to realistic prompts without losing a word', () => {
    for (const prompt of fixture.filter((_, index) => index % 4 === 0)) {
      const edited = rewriteWithInstruction(prompt, 'add a red scarf');
      expect(edited, prompt).toMatch(/\ba red scarf\b/);
      const kept = new Set(words(edited));
      expect(
        words(prompt).filter((word) => !kept.has(word)),
        edited,
      ).toEqual([]);
    }
  });

  it('removes the first thing of realistic prompts and keeps the rest of their nouns', () => {
    const lexicon = loadLexicon();
    const things = new Set(['person', 'animal', 'plant', 'food', 'vehicle', 'clothing', 'artifact']);
    // An independent reading of "the first noun": the first word whose first sense is a thing and that does not
    // modify a noun right after it (so "pencil" in "pencil drawing" is skipped).
    // Kinds of picture are styles, not things in them.
    const pictures = new Set(['sketch', 'painting', 'drawing', 'print', 'illustration', 'poster', 'mural', 'mosaic']);
    const isThing = (word: string) =>
      things.has(lexicon.noun(word)?.classes[0] ?? 'other') &&
      !lexicon.adjective(word) &&
      !word.endsWith('ing') &&
      !pictures.has(word);
    let checked = 0;
    for (const prompt of fixture.filter((_, index) => index % 3 === 0)) {
      const tokens = words(prompt);
      const index = tokens.findIndex(
        (word, position) => isThing(word) && (position === tokens.length - 1 || !lexicon.noun(tokens[position + 1]!)),
      );
      if (index < 0) continue;
      const noun = tokens[index]!;
      const edited = rewriteWithInstruction(prompt, `remove the ${noun}`);
      expect(words(edited), `${prompt} -> ${edited}`).not.toContain(noun);
      const later = tokens.slice(index + 1).filter((word) => isThing(word) && word !== noun);
      for (const word of later) expect(words(edited), `${prompt} -> ${edited}`).toContain(word);
      checked++;
    }
    expect(checked).toBeGreaterThan(40);
  });
});
