import { loadLexicon } from '@diffchat/lexicon';
import { describe, expect, it } from 'vitest';
import { isBlocked } from './blocklist';
import { isCuratedPhrase } from './lexicon';
import { openPools } from './open-pools';

describe('openPools', () => {
  const pools = openPools();
  const lexicon = loadLexicon();
  const nouns = [
    ...Object.values(pools.subjects).flatMap((pool) => [...pool.single, ...pool.multi]),
    ...pools.settings.single,
    ...pools.settings.multi,
  ];

  it('draws hundreds of subjects and settings from the lexicon, of every kind', () => {
    for (const [kind, pool] of Object.entries(pools.subjects)) {
      expect(pool.single.length, kind).toBeGreaterThanOrEqual(30);
    }
    expect(nouns.length).toBeGreaterThan(700);
    expect(pools.settings.single).toEqual(expect.arrayContaining(['kitchen', 'library', 'cafe', 'valley', 'river']));
    expect(pools.subjects.person.single).toEqual(expect.arrayContaining(['doctor', 'teacher', 'sailor']));
    expect(pools.styles).toEqual(expect.arrayContaining(['cubism', 'mosaic', 'woodcut', 'impressionism']));
    expect(pools.materials).toEqual(expect.arrayContaining(['velvet', 'leather', 'clay']));
    expect(pools.attributes.person).toEqual(expect.arrayContaining(['elderly', 'tall']));
  });

  it('holds no word the lexicon flags as offensive, none of the blocklist and none of the curated vocabulary', () => {
    for (const lemma of nouns) {
      expect(lexicon.noun(lemma)?.sensitive, lemma).toBe(false);
      expect(isBlocked(lemma), lemma).toBe(false);
      expect(isCuratedPhrase(lemma), lemma).toBe(false);
    }
  });

  it('gives every transitive action objects, and checks every verb against the lexicon', () => {
    const smoke = pools.actions.find((action) => action.verb === 'smoke');
    expect(smoke?.objects).toEqual(['pipe']);
    expect(pools.actions.find((action) => action.verb === 'read')?.objects).toContain('book');
    for (const action of pools.actions) expect(lexicon.verb(action.verb)?.lemma, action.verb).toBe(action.verb);
    expect(pools.actions.filter((action) => action.objects.length === 0).map((action) => action.verb)).toContain(
      'sleep',
    );
  });
});
