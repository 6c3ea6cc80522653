import { describe, expect, it } from 'vitest';
import { gerundOf, indefiniteArticle, pluralOf, withArticle } from './inflection';

describe('inflection', () => {
  it('writes plurals, regular and irregular, of words and multi-word nouns', () => {
    const cases: Array<[string, string]> = [
      ['fox', 'foxes'],
      ['fisherman', 'fishermen'],
      ['child', 'children'],
      ['sheep', 'sheep'],
      ['cactus', 'cacti'],
      ['wolf', 'wolves'],
      ['golden retriever', 'golden retrievers'],
      ['fire hydrant', 'fire hydrants'],
    ];
    for (const [noun, plural] of cases) expect(pluralOf(noun), noun).toBe(plural);
  });

  it('writes -ing forms with the spelling changes English makes', () => {
    const cases: Array<[string, string]> = [
      ['smoke', 'smoking'],
      ['read', 'reading'],
      ['sit', 'sitting'],
      ['run', 'running'],
      ['tie', 'tying'],
      ['picnic', 'picnicking'],
      ['ski', 'skiing'],
      ['see', 'seeing'],
      ['hammer', 'hammering'],
    ];
    for (const [verb, gerund] of cases) expect(gerundOf(verb), verb).toBe(gerund);
  });

  it('chooses a or an by the sound of the next word', () => {
    expect(['owl', 'elderly man', 'hour', 'apple'].map(indefiniteArticle)).toEqual(['an', 'an', 'an', 'an']);
    expect(['unicorn', 'european', 'one', 'fox', 'house'].map(indefiniteArticle)).toEqual(['a', 'a', 'a', 'a', 'a']);
    expect(withArticle('old fisherman')).toBe('an old fisherman');
  });
});
