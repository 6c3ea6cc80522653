import { loadLexicon } from '@diffchat/lexicon';
import { isCuratedObject, worldObject } from './scene';

/** How a subject behaves in a prompt: people and animals act and wear things; food is hot or cold; things are things. */
export type SubjectKind = 'person' | 'animal' | 'food' | 'thing';

/** The kind of a curated object (by category) or of a lexicon noun (by the class of its first sense). */
export function kindOfObject(name: string): SubjectKind {
  if (isCuratedObject(name)) {
    const category = worldObject(name).category;
    if (category === 'person') return name === 'robot' ? 'thing' : 'person';
    if (category === 'animal' || category === 'bird' || category === 'sea creature' || category === 'insect') {
      return 'animal';
    }
    return category === 'food' ? 'food' : 'thing';
  }
  const nounClass = loadLexicon().noun(name)?.classes[0];
  if (nounClass === 'person' || nounClass === 'animal' || nounClass === 'food') return nounClass;
  return 'thing';
}
