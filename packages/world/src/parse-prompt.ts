import { loadLexicon } from '@diffchat/lexicon';
import { takesObject } from './actions';
import { isCuratedPhrase, type LexicalItem, lexicalItems, type ReadOptions } from './lexicon';
import { roleOfClass } from './open-words';
import type { Scene, Subject } from './scene';

/** What {@link parsePrompt} read from a prompt. */
export interface ParsedPrompt {
  scene: Scene;
  /** Words outside the vocabulary (or, read with the open vocabulary, not read into the scene), lower-cased, each once, in order of appearance. */
  unknownWords: string[];
}

interface PendingModifiers {
  count?: number;
  colour?: string;
  material?: string;
  attributes: string[];
}

/** Known words that may sit inside a noun phrase without ending it (`two very small foxes`). */
const NOUN_PHRASE_GLUE = new Set(['very', 'and']);
const OBJECT_PHRASE_KINDS: ReadonlySet<LexicalItem['kind']> = new Set([
  'count',
  'attribute',
  'colour',
  'object',
  'scene',
]);
/** Words that let a material follow its object (`a chair made of wood`). */
const POST_MATERIAL_GLUE = new Set(['made', 'of', 'out']);

/**
 * Reads free text — a simple prompt, a beautified one, or one written by a language model — into a {@link Scene}.
 * Tolerant of order and phrasing: vocabulary phrases are found by longest match wherever they are; colour,
 * material, attributes and count attach to the object they precede (a material also to the object it follows
 * after `made of`); a bare plural counts as two; the first setting, time, weather, season and style win; an object
 * named twice is one subject. Never throws.
 *
 * With `{ vocabulary: 'open' }` the words the lexicon knows are read too: nouns of things become subjects, nouns
 * of settings the background, art media and movements the style, materials after `made of` and the open
 * adjectives modifiers; an -ing verb right after a subject becomes its action, with the noun that follows as its
 * object (`a woman reading a book`); `portrait of` and `a close-up of` set the scene's shape. So
 * `parsePrompt(renderPrompt(scene), { vocabulary: 'open' })` gives back open-vocabulary scenes too.
 */
export function parsePrompt(text: string, options: ReadOptions = {}): ParsedPrompt {
  const scene: Scene = { subjects: [], quality: [] };
  const unknownWords: string[] = [];
  let pending: PendingModifiers = { attributes: [] };
  let lastSubject: Subject | undefined;
  let materialMayFollow = false;
  /** The last items were a subject's noun (and a material after it): an -ing verb now is its action. */
  let actionMayFollow = false;
  /** The subject whose action is waiting for its object. */
  let awaitingObject: Subject | undefined;
  const open = options.vocabulary === 'open';
  const clearPending = (): void => {
    // "a field of lavender": a colour or material word that no noun follows is the thing it names, when it names one.
    const word = pending.colour ?? pending.material;
    if (open && word !== undefined && scene.subjects.every((subject) => subject.object !== word)) {
      const entry = loadLexicon().noun(word);
      if (entry && !entry.sensitive && roleOfClass(entry.classes[0]) === 'thing') {
        scene.subjects.push({ object: entry.lemma, count: pending.count ?? 1, attributes: pending.attributes });
      }
    }
    pending = { attributes: [] };
  };
  const unknown = (word: string): void => {
    if (!unknownWords.includes(word)) unknownWords.push(word);
  };
  /** The item just read was a noun: a subject's or an action's object. */
  let justReadObject: 'subject' | 'action' | undefined;
  const read = (item: LexicalItem): void => {
    const previousObject = justReadObject;
    justReadObject = undefined;
    // An action's object may carry an article, a count and modifiers (`holding a glowing lantern`).
    if (awaitingObject && !OBJECT_PHRASE_KINDS.has(item.kind)) awaitingObject = undefined;
    switch (item.kind) {
      case 'count':
        pending.count = item.value;
        materialMayFollow = false;
        actionMayFollow = false;
        break;
      case 'colour':
        pending.colour = item.name;
        materialMayFollow = false;
        actionMayFollow = false;
        break;
      case 'material':
        if (materialMayFollow && lastSubject && lastSubject.material === undefined) {
          lastSubject.material = item.name;
          materialMayFollow = false;
        } else {
          pending.material = item.name;
          actionMayFollow = false;
        }
        break;
      case 'attribute':
        if (!pending.attributes.includes(item.name)) pending.attributes.push(item.name);
        materialMayFollow = false;
        actionMayFollow = false;
        break;
      case 'action':
        if (actionMayFollow && lastSubject && lastSubject.action === undefined) {
          lastSubject.action = { verb: item.verb };
          awaitingObject = takesObject(item.verb) ? lastSubject : undefined;
          clearPending();
          actionMayFollow = false;
          materialMayFollow = false;
        } else if (item.otherwise) {
          read(item.otherwise);
        } else if (!isCuratedPhrase(item.word)) {
          unknown(item.word);
        }
        break;
      case 'object': {
        // "a honeycomb frame", "a tattoo artist": a noun right after another is the head, the first its modifier.
        if (open && previousObject && lastSubject) {
          justReadObject = previousObject;
          if (previousObject === 'action' && lastSubject.action?.object !== undefined) {
            lastSubject.action.object = item.name;
            break;
          }
          if (previousObject === 'subject' && !scene.subjects.some((subject) => subject.object === item.name)) {
            lastSubject.object = item.name;
            break;
          }
          justReadObject = undefined;
        }
        if (awaitingObject?.action) {
          awaitingObject.action.object = item.name;
          awaitingObject = undefined;
          pending = { attributes: [] };
          actionMayFollow = false;
          justReadObject = 'action';
          break;
        }
        const existing = scene.subjects.find((subject) => subject.object === item.name);
        if (existing) {
          if (pending.count !== undefined && pending.count > 1) existing.count = pending.count;
          existing.colour ??= pending.colour;
          existing.material ??= pending.material;
          for (const attribute of pending.attributes) {
            if (!existing.attributes.includes(attribute)) existing.attributes.push(attribute);
          }
          if (existing.colour === undefined) delete existing.colour;
          if (existing.material === undefined) delete existing.material;
          lastSubject = existing;
        } else {
          const subject: Subject = {
            object: item.name,
            count: pending.count ?? (item.plural ? 2 : 1),
            attributes: pending.attributes,
          };
          if (pending.colour) subject.colour = pending.colour;
          if (pending.material) subject.material = pending.material;
          scene.subjects.push(subject);
          lastSubject = subject;
        }
        pending = { attributes: [] };
        materialMayFollow = false;
        actionMayFollow = true;
        justReadObject = 'subject';
        break;
      }
      case 'known':
        if (POST_MATERIAL_GLUE.has(item.word) && lastSubject) {
          materialMayFollow = item.word !== 'of' || materialMayFollow;
        } else if (!NOUN_PHRASE_GLUE.has(item.word)) {
          clearPending();
          materialMayFollow = false;
          actionMayFollow = false;
        }
        break;
      case 'unknown':
        unknown(item.word);
        break;
      case 'quality':
        if (!scene.quality.includes(item.name)) scene.quality.push(item.name);
        clearPending();
        materialMayFollow = false;
        actionMayFollow = false;
        break;
      case 'verb':
        clearPending();
        materialMayFollow = false;
        actionMayFollow = false;
        break;
      case 'shape':
        scene.shape ??= item.shape;
        clearPending();
        materialMayFollow = false;
        actionMayFollow = false;
        break;
      case 'scene':
        // A noun right after an action is its object even when its first sense is a place (`smoking a pipe`).
        if (awaitingObject?.action && !isCuratedPhrase(item.name)) {
          awaitingObject.action.object = item.name;
          awaitingObject = undefined;
          pending = { attributes: [] };
          break;
        }
        scene.background ??= item.name;
        clearPending();
        materialMayFollow = false;
        actionMayFollow = false;
        break;
      default:
        if (scene[item.kind] === undefined) scene[item.kind] = item.name;
        clearPending();
        materialMayFollow = false;
        actionMayFollow = false;
    }
  };
  for (const item of lexicalItems(text, options)) read(item);
  clearPending();
  return { scene, unknownWords };
}
