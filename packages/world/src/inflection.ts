import { createRequire } from 'node:module';
import pluralize from 'pluralize';

/** The plural of a noun or noun phrase, by the `pluralize` library (`fisherman` -> `fishermen`, `golden retriever` -> `golden retrievers`). */
export function pluralOf(noun: string): string {
  return pluralize.plural(noun);
}

type Conjugate = (verb: string, model: unknown) => { Gerund?: string };

let conjugator: ((verb: string) => string | undefined) | undefined;

/**
 * compromise's conjugator, required on first use: the library takes about 0.2 s to load, which only open-vocabulary
 * work should pay. Its verb transforms are reached through `nlp.methods()`, the documented door to its internals.
 */
function loadConjugator(): (verb: string) => string | undefined {
  const nlp = createRequire(import.meta.url)('compromise/two') as {
    methods(): { two: { transform: { verb: { conjugate: Conjugate } } } };
    model(): unknown;
  };
  const conjugate = nlp.methods().two.transform.verb.conjugate;
  const model = nlp.model();
  return (verb) => conjugate(verb, model).Gerund;
}

/** The -ing form of a verb (`smoke` -> `smoking`, `sit` -> `sitting`, `picnic` -> `picnicking`), by compromise. */
export function gerundOf(verb: string): string {
  conjugator ??= loadConjugator();
  return conjugator(verb) ?? `${verb}ing`;
}

// Words whose first letter's sound differs from its spelling; no maintained library decides a/an, so it is a rule.
const CONSONANT_SOUND = /^(uni|use|usu|uten|euro|eu|one|once|ufo|ukulele|uvula)/;
const VOWEL_SOUND = /^(hour|honest|honou?r|heir)/;

/** `a` or `an` for the word that follows it (`an owl`, `a unicorn`, `an hour`). */
export function indefiniteArticle(nextWord: string): 'a' | 'an' {
  const word = nextWord.toLowerCase();
  if (VOWEL_SOUND.test(word)) return 'an';
  if (CONSONANT_SOUND.test(word)) return 'a';
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

/** A phrase with its indefinite article: `an old fisherman`. */
export function withArticle(phrase: string): string {
  return `${indefiniteArticle(phrase)} ${phrase}`;
}
