import { loadLexicon, type NounClass } from '@diffchat/lexicon';

/** Who can do an action: people, animals, or both. */
export type Agent = 'person' | 'animal';

/**
 * One action a subject can be shown doing (`smoking a pipe`, `sleeping`). WordNet tells which verbs take an object
 * but not which objects fit them, so each verb lists its objects: lexicon classes to draw open nouns from, or the
 * few words that fit (`play` takes instruments, which no class isolates).
 */
export interface ActionFrame {
  /** Verb lemma, e.g. `smoke`. */
  verb: string;
  agents: readonly Agent[];
  /** Objects of the transitive use; absent for verbs used without one. */
  objects?: { classes?: readonly NounClass[]; words?: readonly string[] };
}

const people: readonly Agent[] = ['person'];
const animals: readonly Agent[] = ['animal'];
const both: readonly Agent[] = ['person', 'animal'];

/** The actions of the open vocabulary; verbs are checked against the lexicon when the vocabulary is built. */
export const ACTION_FRAMES: readonly ActionFrame[] = [
  { verb: 'hold', agents: people, objects: { classes: ['artifact', 'food', 'plant'] } },
  { verb: 'carry', agents: people, objects: { classes: ['artifact', 'food', 'plant'] } },
  { verb: 'read', agents: people, objects: { words: ['book', 'newspaper', 'letter', 'map', 'magazine', 'menu'] } },
  { verb: 'eat', agents: both, objects: { classes: ['food'] } },
  { verb: 'drink', agents: people, objects: { words: ['coffee', 'tea', 'milk', 'lemonade', 'juice', 'cocoa'] } },
  { verb: 'wear', agents: people, objects: { classes: ['clothing'] } },
  {
    verb: 'ride',
    agents: people,
    objects: { words: ['bicycle', 'horse', 'camel', 'motorcycle', 'scooter', 'skateboard', 'pony', 'tram'] },
  },
  { verb: 'drive', agents: people, objects: { words: ['car', 'truck', 'tractor', 'taxi', 'jeep', 'bus', 'van'] } },
  { verb: 'feed', agents: people, objects: { classes: ['animal'] } },
  { verb: 'hug', agents: people, objects: { classes: ['animal', 'plant'] } },
  { verb: 'watch', agents: both, objects: { classes: ['animal', 'vehicle'] } },
  { verb: 'repair', agents: people, objects: { classes: ['vehicle', 'artifact'] } },
  { verb: 'cook', agents: people, objects: { classes: ['food'] } },
  { verb: 'pick', agents: people, objects: { classes: ['plant'] } },
  { verb: 'push', agents: people, objects: { words: ['cart', 'stroller', 'wheelbarrow', 'swing', 'wagon'] } },
  { verb: 'pull', agents: both, objects: { words: ['cart', 'wagon', 'sled', 'rope', 'boat'] } },
  { verb: 'paint', agents: people, objects: { classes: ['artifact', 'vehicle'] } },
  {
    verb: 'play',
    agents: people,
    objects: { words: ['guitar', 'violin', 'piano', 'flute', 'cello', 'harp', 'drum', 'trumpet', 'saxophone'] },
  },
  { verb: 'smoke', agents: people, objects: { words: ['pipe'] } },
  { verb: 'sell', agents: people, objects: { classes: ['food', 'artifact'] } },
  { verb: 'catch', agents: both, objects: { words: ['fish', 'butterfly', 'ball', 'frisbee'] } },
  { verb: 'throw', agents: people, objects: { words: ['ball', 'stone', 'frisbee', 'snowball'] } },
  { verb: 'climb', agents: both, objects: { words: ['tree', 'ladder', 'wall', 'rope', 'fence'] } },
  { verb: 'build', agents: people, objects: { words: ['boat', 'shed', 'fence', 'snowman', 'sandcastle', 'kite'] } },
  { verb: 'wash', agents: people, objects: { classes: ['vehicle', 'animal'] } },
  { verb: 'water', agents: people, objects: { classes: ['plant'] } },
  { verb: 'plant', agents: people, objects: { classes: ['plant'] } },
  { verb: 'sketch', agents: people, objects: { classes: ['animal', 'plant', 'vehicle'] } },
  { verb: 'photograph', agents: people, objects: { classes: ['animal', 'plant', 'vehicle'] } },
  { verb: 'knit', agents: people, objects: { words: ['scarf', 'sweater', 'sock', 'blanket'] } },
  { verb: 'bake', agents: people, objects: { words: ['cake', 'bread', 'pie', 'cookie', 'loaf'] } },
  { verb: 'chase', agents: animals, objects: { classes: ['animal'] } },
  { verb: 'sleep', agents: both },
  { verb: 'run', agents: both },
  { verb: 'dance', agents: people },
  { verb: 'sing', agents: people },
  { verb: 'swim', agents: both },
  { verb: 'sit', agents: both },
  { verb: 'stand', agents: both },
  { verb: 'laugh', agents: people },
  { verb: 'jump', agents: both },
  { verb: 'rest', agents: both },
  { verb: 'wait', agents: both },
  { verb: 'fish', agents: people },
  { verb: 'meditate', agents: people },
  { verb: 'jog', agents: people },
  { verb: 'smile', agents: people },
  { verb: 'hide', agents: animals },
];

/**
 * Whether a verb's -ing form is followed by its object: the world's own actions say so (`sleeping` never takes
 * one, `smoking` always does); other verbs take one when the lexicon calls them transitive.
 */
export function takesObject(verb: string): boolean {
  const frame = ACTION_FRAMES.find((candidate) => candidate.verb === verb);
  if (frame) return frame.objects !== undefined;
  return loadLexicon().verb(verb)?.transitive ?? false;
}
