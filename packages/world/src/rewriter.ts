import { editInPlace, isAttributeEdit } from './edit-in-place';
import { applyEdit, type EditOperation } from './edit-operation';
import { type LexicalItem, lexicalItems, type ReadOptions, type VerbKind } from './lexicon';
import { kindOfObject } from './object-kind';
import { parsePrompt } from './parse-prompt';
import { pronounOf } from './pronoun';
import { renderPrompt, type Scene } from './scene';

interface ObjectMention {
  object: string;
  /** Explicit count (not an article) written before the object. */
  count?: number;
  colour?: string;
  material?: string;
}

/** Item kinds that can stand in front of an object as part of its noun phrase. */
const MODIFIER_KINDS = new Set(['count', 'colour', 'material', 'attribute']);

interface InstructionReading {
  mentions: ObjectMention[];
  verbs: Set<VerbKind>;
  /** Colours, materials and explicit counts not attached in front of an object (`paint the car red`). */
  freeColours: string[];
  freeMaterials: string[];
  freeCounts: number[];
  /** Setting items (style, time, weather, season, scene) in order of appearance. */
  settings: { kind: 'style' | 'time' | 'weather' | 'season' | 'scene'; name: string }[];
  /** `make it a X`, `turn it into an X`, `an X instead`: the object is to replace the only or main subject. */
  replacesMain: boolean;
  /** `him` or `her`: the person the instruction is about. */
  pronoun?: 'him' | 'her';
}

/** `make it a dog`, `turn it into an owl`: a new thing for the subject itself, not an added one. */
const MAKE_IT_A = /^\s*(?:please\s+)?(?:make|turn)\s+(?:it|this|that)\s+(?:into\s+)?(?:a|an)\s/i;
/** `a dog instead`, not `a dog instead of the cat`. */
const INSTEAD = /\binstead\b(?!\s+of\b)/i;

function readInstruction(instruction: string, options: ReadOptions): InstructionReading {
  const items: LexicalItem[] = lexicalItems(instruction, options).map((item) =>
    item.kind === 'action' && item.otherwise ? item.otherwise : item,
  );
  const attached = new Set<number>();
  const reading: InstructionReading = {
    mentions: [],
    verbs: new Set(),
    freeColours: [],
    freeMaterials: [],
    freeCounts: [],
    settings: [],
    replacesMain: MAKE_IT_A.test(instruction) || INSTEAD.test(instruction),
  };
  const pronoun = /\b(him|her)\b/i.exec(instruction)?.[1]?.toLowerCase();
  if (pronoun === 'him' || pronoun === 'her') reading.pronoun = pronoun;
  items.forEach((item, index) => {
    if (item.kind !== 'object') return;
    const mention: ObjectMention = { object: item.name };
    for (let before = index - 1; before >= 0 && MODIFIER_KINDS.has(items[before]!.kind); before--) {
      const modifier = items[before]!;
      attached.add(before);
      if (modifier.kind === 'count' && !modifier.article) mention.count ??= modifier.value;
      if (modifier.kind === 'colour') mention.colour ??= modifier.name;
      if (modifier.kind === 'material') mention.material ??= modifier.name;
    }
    reading.mentions.push(mention);
  });
  items.forEach((item, index) => {
    if (attached.has(index)) return;
    if (item.kind === 'verb') reading.verbs.add(item.verb);
    else if (item.kind === 'colour') reading.freeColours.push(item.name);
    else if (item.kind === 'material') reading.freeMaterials.push(item.name);
    else if (item.kind === 'count' && !item.article) reading.freeCounts.push(item.value);
    else if (
      item.kind === 'style' ||
      item.kind === 'time' ||
      item.kind === 'weather' ||
      item.kind === 'season' ||
      item.kind === 'scene'
    ) {
      reading.settings.push({ kind: item.kind, name: item.name });
    }
  });
  return reading;
}

function addOperation(mention: ObjectMention): EditOperation {
  const operation: EditOperation = { type: 'add', object: mention.object, count: mention.count ?? 1 };
  if (mention.colour) operation.colour = mention.colour;
  if (mention.material) operation.material = mention.material;
  return operation;
}

/**
 * Reads an edit instruction against the scene it edits into one {@link EditOperation}, or `undefined` when it
 * finds nothing to do. Objects already in the scene are the ones edited; an object the scene lacks is added,
 * or replaces the present one unless an adding verb (`add`, `put`, `place`, `hold`...) is used, and replaces the
 * first subject in `make it a dog` and `a dog instead`; a colour, material or count without an object of its own
 * edits the named object (the person `him` or `her` names, or the only subject); otherwise the first style, time,
 * weather, season or setting named becomes the edit. `options.vocabulary` says which words are read.
 */
export function parseInstruction(
  instruction: string,
  scene: Scene,
  options: ReadOptions = {},
): EditOperation | undefined {
  const reading = readInstruction(instruction, options);
  const presentNames = new Set(scene.subjects.map((subject) => subject.object));
  // "the diver" names the scuba diver: a multi-word noun is also called by its last word.
  for (const mention of reading.mentions) {
    if (presentNames.has(mention.object)) continue;
    const named = scene.subjects.find((subject) => subject.object.endsWith(` ${mention.object}`));
    if (named) mention.object = named.object;
  }
  const present = reading.mentions.filter((mention) => presentNames.has(mention.object));
  const absent = reading.mentions.filter((mention) => !presentNames.has(mention.object));
  if (reading.verbs.has('remove') && reading.mentions.length > 0) {
    return { type: 'remove', object: (present[0] ?? reading.mentions[0]!).object };
  }
  if (present.length > 0 && absent.length > 0) {
    if (reading.verbs.has('add') && !reading.verbs.has('replace')) return addOperation(absent[0]!);
    return { type: 'replace', object: present[0]!.object, replacement: absent[0]!.object };
  }
  if (absent.length > 0 && reading.replacesMain && present.length === 0 && scene.subjects.length > 0) {
    return { type: 'replace', object: scene.subjects[0]!.object, replacement: absent[0]!.object };
  }
  if (absent.length > 1 && reading.verbs.has('replace')) {
    // "replace the dog with a cat" where there is no dog: the cat is what the user wants in the picture ("a cat
    // instead of the dog" names it first).
    const replacement = /\binstead\s+of\b/i.test(instruction) ? absent[0]! : absent[absent.length - 1]!;
    return addOperation(replacement);
  }
  if (absent.length > 0) return addOperation(absent[0]!);
  const only = scene.subjects.length === 1 ? { object: scene.subjects[0]!.object } : undefined;
  const person = reading.pronoun
    ? scene.subjects.find(
        (subject) => kindOfObject(subject.object) === 'person' && pronounOf(subject.object) === reading.pronoun,
      )
    : undefined;
  const target: ObjectMention | undefined = present[0] ?? (person ? { object: person.object } : only);
  if (target) {
    const colour = reading.freeColours.at(-1);
    const material = reading.freeMaterials.at(-1);
    const count = reading.freeCounts.at(-1) ?? present[0]?.count;
    if (colour) return { type: 'colour', object: target.object, colour };
    if (material) return { type: 'material', object: target.object, material };
    if (present[0] && reading.verbs.has('add')) return addOperation(present[0]);
    if (count !== undefined) return { type: 'count', object: target.object, count };
  }
  const setting = reading.settings[0];
  // "in the style of ukiyo-e": a style is whatever is named there, known or not.
  const namedStyle = /\bin the style of ([a-z][\w' -]*?)\s*[.!]?\s*$/i.exec(instruction)?.[1]?.toLowerCase();
  if (namedStyle && setting?.kind !== 'style') return { type: 'style', style: namedStyle };
  if (!setting) return undefined;
  switch (setting.kind) {
    case 'style':
      return { type: 'style', style: setting.name };
    case 'time':
      return { type: 'time', time: setting.name };
    case 'weather':
      return { type: 'weather', weather: setting.name };
    case 'season':
      return { type: 'season', season: setting.name };
    case 'scene':
      return { type: 'background', background: setting.name };
  }
}

/** Clause boundaries of a compound instruction: `make it night and add snow`, `add a cat, then paint it red`. */
const CLAUSE_BOUNDARY = /\s*(?:[,;]\s*(?:and\s+)?(?:then\s+)?|\s+and\s+then\s+|\s+then\s+|\s+and\s+)\s*/i;

/**
 * Reads a possibly compound instruction into edits applied in order. Clauses joined by `and`, `then`, commas or
 * semicolons are read one by one, each against the scene the earlier ones made; when any clause reads as
 * nothing, the whole instruction is read as one edit instead (so `turn the cat and the dog into birds` stays one
 * replace). Returns no edits when nothing is understood.
 */
export function parseInstructions(instruction: string, scene: Scene, options: ReadOptions = {}): EditOperation[] {
  const clauses = instruction.split(CLAUSE_BOUNDARY).filter((clause) => clause.trim().length > 0);
  if (clauses.length > 1) {
    const operations: EditOperation[] = [];
    let current = scene;
    for (const clause of clauses) {
      const operation = parseInstruction(clause, current, options);
      if (!operation) break;
      operations.push(operation);
      current = applyEdit(current, operation);
    }
    if (operations.length === clauses.length) return operations;
  }
  const operation = parseInstruction(instruction, scene, options);
  return operation ? [operation] : [];
}

/**
 * The rule-based stand-in for the LLM of the dataset builder; it works on any prompt a user writes.
 *
 * A prompt the world writes itself (its canonical form, every word read with the open vocabulary) is parsed into a
 * scene, the instruction is read as edits of it ({@link parseInstructions}), and the edited scene is written
 * canonically: `a red fox in a forest` + `make it night` gives `a red fox in a forest at night`. Any other prompt
 * is edited in place ({@link editInPlace}): the words the edit does not touch stay as they were written, so
 * `portrait of an old fisherman smoking a pipe` + `make it night` gives `portrait of an old fisherman smoking a
 * pipe at night`. Returns the prompt unchanged when the instruction asks for nothing it understands.
 */
export function rewriteWithInstruction(prompt: string, instruction: string): string {
  const open: ReadOptions = { vocabulary: 'open' };
  const { scene, unknownWords } = parsePrompt(prompt, open);
  // An adjective for a subject (`make him young`) is no edit of a scene: it is always made in place.
  if (unknownWords.length === 0 && renderPrompt(scene) === prompt && !isAttributeEdit(prompt, instruction)) {
    const operations = parseInstructions(instruction, scene, open);
    if (operations.length > 0) return renderPrompt(operations.reduce(applyEdit, scene));
  }
  return editInPlace(prompt, instruction);
}
