import { lexicalItems } from './lexicon';
import type { Scene, Subject } from './scene';

/** What {@link parsePrompt} read from a prompt. */
export interface ParsedPrompt {
  scene: Scene;
  /** Words outside the vocabulary, lower-cased, each once, in order of appearance. */
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
/** Words that let a material follow its object (`a chair made of wood`). */
const POST_MATERIAL_GLUE = new Set(['made', 'of', 'out']);

/**
 * Reads free text — a simple prompt, a beautified one, or one written by a language model — into a {@link Scene}.
 * Tolerant of order and phrasing: vocabulary phrases are found by longest match wherever they are; colour,
 * material, attributes and count attach to the object they precede (a material also to the object it follows
 * after `made of`); a bare plural counts as two; the first setting, time, weather, season and style win; an object
 * named twice is one subject. Never throws.
 */
export function parsePrompt(text: string): ParsedPrompt {
  const scene: Scene = { subjects: [], quality: [] };
  const unknownWords: string[] = [];
  let pending: PendingModifiers = { attributes: [] };
  let lastSubject: Subject | undefined;
  let materialMayFollow = false;
  const clearPending = (): void => {
    pending = { attributes: [] };
  };
  for (const item of lexicalItems(text)) {
    switch (item.kind) {
      case 'count':
        pending.count = item.value;
        materialMayFollow = false;
        break;
      case 'colour':
        pending.colour = item.name;
        materialMayFollow = false;
        break;
      case 'material':
        if (materialMayFollow && lastSubject && lastSubject.material === undefined) {
          lastSubject.material = item.name;
          materialMayFollow = false;
        } else {
          pending.material = item.name;
        }
        break;
      case 'attribute':
        if (!pending.attributes.includes(item.name)) pending.attributes.push(item.name);
        materialMayFollow = false;
        break;
      case 'object': {
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
        clearPending();
        materialMayFollow = false;
        break;
      }
      case 'known':
        if (POST_MATERIAL_GLUE.has(item.word) && lastSubject) {
          materialMayFollow = item.word !== 'of' || materialMayFollow;
        } else if (!NOUN_PHRASE_GLUE.has(item.word)) {
          clearPending();
          materialMayFollow = false;
        }
        break;
      case 'unknown':
        if (!unknownWords.includes(item.word)) unknownWords.push(item.word);
        break;
      case 'quality':
        if (!scene.quality.includes(item.name)) scene.quality.push(item.name);
        clearPending();
        materialMayFollow = false;
        break;
      case 'verb':
        clearPending();
        materialMayFollow = false;
        break;
      case 'scene':
        scene.background ??= item.name;
        clearPending();
        materialMayFollow = false;
        break;
      default:
        if (scene[item.kind] === undefined) scene[item.kind] = item.name;
        clearPending();
        materialMayFollow = false;
    }
  }
  return { scene, unknownWords };
}
