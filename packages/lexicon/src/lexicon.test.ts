import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LexiconError, loadLexicon, parseLexiconIndex } from './lexicon';

const lexicon = loadLexicon();

describe('loadLexicon', () => {
  it('holds every lemma of WordNet 3.1 (117,953 nouns, 21,499 adjectives, 11,540 verbs in its index files)', () => {
    expect(lexicon.size).toEqual({ nouns: 117_953, adjectives: 21_499, verbs: 11_540 });
  });

  it('is read once and shared', () => {
    expect(loadLexicon()).toBe(lexicon);
  });
});

describe('noun classes', () => {
  // Hypernym chains checked by hand in WordNet 3.1's data.noun.
  it.each([
    ['dog', 'animal'],
    ['fisherman', 'person'],
    ['van gogh', 'artist'],
    ['cafe', 'building'],
    ['library', 'room'],
    ['kitchen', 'room'],
    ['street', 'way'],
    ['city', 'location'],
    ['beach', 'landform'],
    ['mountain', 'landform'],
    ['summer', 'season'],
    ['night', 'time-of-day'],
    ['sunset', 'time-of-day'],
    ['snow', 'weather'],
    ['rain', 'weather'],
    ['watercolor', 'art'],
    ['impressionism', 'art'],
    ['marble', 'material'],
    ['leather', 'material'],
    ['crimson', 'colour'],
    ['hat', 'clothing'],
    ['sweater', 'clothing'],
    ['bicycle', 'vehicle'],
    ['sailboat', 'vehicle'],
    ['pizza', 'food'],
    ['oak tree', 'plant'],
    ['fern', 'plant'],
    ['anvil', 'artifact'],
  ])('%s is first read as %s', (word, expected) => {
    expect(lexicon.noun(word)?.classes[0]).toBe(expected);
  });

  it('lists the readings of other senses after the first', () => {
    // diner: an eater (person), a dining car (vehicle), a restaurant (building).
    expect(lexicon.noun('diner')?.classes).toEqual(['person', 'vehicle', 'building']);
    expect(lexicon.noun('square')?.classes).toContain('location');
  });

  it('finds plurals and irregular forms through their lemma', () => {
    expect(lexicon.noun('foxes')?.lemma).toBe('fox');
    expect(lexicon.noun('children')?.lemma).toBe('child');
    expect(lexicon.noun('Women')?.lemma).toBe('woman');
    expect(lexicon.noun('wolves')?.lemma).toBe('wolf');
    expect(lexicon.noun('fire hydrants')?.lemma).toBe('fire hydrant');
    expect(lexicon.noun('blorptangle')).toBeUndefined();
  });

  it('reports familiarity as tagsense_cnt of index.noun (dog: 1 of 7 senses tagged; night: 5)', () => {
    expect(lexicon.noun('dog')?.familiarity).toBe(1);
    expect(lexicon.noun('night')?.familiarity).toBe(5);
  });

  it('flags words with an offensive sense and leaves them out of listings', () => {
    // WordNet glosses a sense of "bastard" as an insulting term of address.
    expect(lexicon.noun('bastard')?.sensitive).toBe(true);
    expect(lexicon.noun('dog')?.sensitive).toBe(false);
    const people = lexicon.nouns({ classes: ['person'] }).map((entry) => entry.lemma);
    expect(people).not.toContain('bastard');
    expect(people).toContain('fisherman');
  });

  it('filters nouns by class of the first sense, most familiar first', () => {
    const animals = lexicon.nouns({ classes: ['animal'], minFamiliarity: 1, singleWord: true });
    expect(animals.length).toBeGreaterThan(100);
    expect(animals.every((entry) => entry.classes[0] === 'animal' && !entry.lemma.includes(' '))).toBe(true);
    for (let index = 1; index < animals.length; index++) {
      expect(animals[index - 1]!.familiarity).toBeGreaterThanOrEqual(animals[index]!.familiarity);
    }
    expect(animals.map((entry) => entry.lemma)).toContain('horse');
  });
});

describe('adjectives', () => {
  it('gives attributes and antonyms from WordNet pointers', () => {
    expect(lexicon.adjective('old')?.attributes).toContain('age');
    expect(lexicon.adjective('old')?.antonyms).toContain('young');
    expect(lexicon.adjective('young')?.antonyms).toContain('old');
    expect(lexicon.adjective('tiny')?.attributes).toEqual(['size']);
  });

  it('gives a satellite the antonyms of its head (elderly is similar to old)', () => {
    expect(lexicon.adjective('elderly')?.antonyms).toContain('young');
  });

  it('finds comparatives through their base', () => {
    expect(lexicon.adjective('greenest')?.lemma).toBe('green');
  });

  it('lists adjectives by their first attribute, most familiar first', () => {
    const small = parseLexiconIndex(
      'a\ttiny\tsize\tbig\t1\na\tsmall\tsize,age\tbig\t7\na\told\tage\tyoung\t4\na\twee small\tsize\t\t2\n',
    );
    expect(small.adjectives({ attributes: ['size'] }).map((entry) => entry.lemma)).toEqual([
      'small',
      'wee small',
      'tiny',
    ]);
    expect(small.adjectives({ attributes: ['age'] }).map((entry) => entry.lemma)).toEqual(['old']);
    expect(small.adjectives({ minFamiliarity: 3, singleWord: true }).map((entry) => entry.lemma)).toEqual([
      'small',
      'old',
    ]);
    const ages = lexicon.adjectives({ attributes: ['age'], minFamiliarity: 1 }).map((entry) => entry.lemma);
    expect(ages).toEqual(expect.arrayContaining(['old', 'young', 'elderly']));
    expect(ages).not.toContain('big');
  });
});

describe('verbs', () => {
  it('tells transitive uses from intransitive ones and finds -ing forms', () => {
    const read = lexicon.verb('reading');
    expect(read?.lemma).toBe('read');
    expect(read?.transitive).toBe(true);
    expect(lexicon.verb('smoking')?.lemma).toBe('smoke');
    expect(lexicon.verb('running')?.lemma).toBe('run');
  });
});

describe('collocationAt', () => {
  const words = 'a golden retriever puppy near two fire hydrants and van gogh'.split(' ');
  it('finds multi-word nouns, the longest first, with an inflected last word', () => {
    expect(lexicon.collocationAt(words, 1)).toBe(2);
    expect(lexicon.collocationAt(words, 6)).toBe(2);
    expect(lexicon.collocationAt(words, 9)).toBe(2);
  });

  it('finds none where a phrase is not one noun ("woman reading")', () => {
    expect(lexicon.collocationAt(['woman', 'reading'], 0)).toBe(0);
    expect(lexicon.collocationAt(words, 0)).toBe(0);
    expect(lexicon.collocationAt(words, 20)).toBe(0);
  });
});

describe('parseLexiconIndex', () => {
  it('reads the three kinds of line', () => {
    const small = parseLexiconIndex('# header\nn\tcat\tAP\t3\na\ttiny\tsize\tbig,large\t1\nv\tread\tIT\t8\n');
    expect(small.noun('cats')).toEqual({
      lemma: 'cat',
      classes: ['animal', 'person'],
      familiarity: 3,
      sensitive: false,
    });
    expect(small.adjective('tiny')).toEqual({
      lemma: 'tiny',
      attributes: ['size'],
      antonyms: ['big', 'large'],
      familiarity: 1,
    });
    expect(small.verb('reads')).toEqual({ lemma: 'read', transitive: true, intransitive: true, familiarity: 8 });
  });

  it('names the line of a malformed entry', () => {
    expect(() => parseLexiconIndex('n\tcat\tA\t1\nbroken', 'x.txt')).toThrow(/x\.txt:2: malformed line/);
    expect(() => parseLexiconIndex('q\tcat\tA\t1', 'x.txt')).toThrow(/x\.txt:1: unknown part of speech/);
  });

  it('either reads or rejects any text with a LexiconError, never another error', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          const parsed = parseLexiconIndex(text);
          parsed.noun('cat');
          parsed.collocationAt(['a', 'b'], 0);
        } catch (error) {
          expect(error).toBeInstanceOf(LexiconError);
        }
      }),
    );
  });
});
