/**
 * WordNet's "morphy" detachment rules (wndb's morphy(7WN)) plus the irregular forms prompts use most. WordNet's own
 * exception lists are not in the npm package, so the common irregular plurals are listed here.
 */

/** Part of speech of a look-up. */
export type PartOfSpeech = 'noun' | 'adjective' | 'verb';

const RULES: Readonly<Record<PartOfSpeech, readonly (readonly [string, string])[]>> = {
  noun: [
    ['s', ''],
    ['ses', 's'],
    ['xes', 'x'],
    ['zes', 'z'],
    ['ches', 'ch'],
    ['shes', 'sh'],
    ['men', 'man'],
    ['ies', 'y'],
  ],
  verb: [
    ['s', ''],
    ['ies', 'y'],
    ['es', 'e'],
    ['es', ''],
    ['ed', 'e'],
    ['ed', ''],
    ['ing', 'e'],
    ['ing', ''],
  ],
  adjective: [
    ['er', ''],
    ['est', ''],
    ['er', 'e'],
    ['est', 'e'],
  ],
};

const IRREGULAR_NOUNS: ReadonlyMap<string, string> = new Map([
  ['children', 'child'],
  ['people', 'person'],
  ['mice', 'mouse'],
  ['geese', 'goose'],
  ['feet', 'foot'],
  ['teeth', 'tooth'],
  ['oxen', 'ox'],
  ['dice', 'die'],
  ['wolves', 'wolf'],
  ['leaves', 'leaf'],
  ['knives', 'knife'],
  ['wives', 'wife'],
  ['lives', 'life'],
  ['loaves', 'loaf'],
  ['halves', 'half'],
  ['shelves', 'shelf'],
  ['bookshelves', 'bookshelf'],
  ['calves', 'calf'],
  ['elves', 'elf'],
  ['scarves', 'scarf'],
  ['thieves', 'thief'],
  ['wharves', 'wharf'],
  ['hooves', 'hoof'],
  ['cacti', 'cactus'],
  ['fungi', 'fungus'],
  ['octopi', 'octopus'],
  ['cherubim', 'cherub'],
  ['criteria', 'criterion'],
  ['phenomena', 'phenomenon'],
]);

/**
 * Candidate base forms of a word for a part of speech, the word itself first: "foxes" -> foxes, foxe, fox;
 * "children" -> children, child. For multi-word phrases only the last word is inflected ("fire hydrants").
 */
export function baseFormCandidates(word: string, pos: PartOfSpeech): string[] {
  const lower = word.toLowerCase();
  const space = lower.lastIndexOf(' ');
  const head = lower.slice(space + 1);
  const lead = lower.slice(0, space + 1);
  const candidates = [lower];
  const irregular = pos === 'noun' ? IRREGULAR_NOUNS.get(head) : undefined;
  if (irregular !== undefined) candidates.push(lead + irregular);
  for (const [suffix, replacement] of RULES[pos]) {
    if (head.length > suffix.length + 1 && head.endsWith(suffix)) {
      const stem = head.slice(0, head.length - suffix.length);
      candidates.push(lead + stem + replacement);
      // "running", "stopped": English doubles a final consonant before -ing/-ed, which morphy leaves to its
      // exception lists.
      if (pos === 'verb' && replacement === '' && /([^aeiou])\1$/.test(stem)) candidates.push(lead + stem.slice(0, -1));
    }
  }
  return [...new Set(candidates)];
}
