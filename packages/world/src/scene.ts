import { gerundOf, indefiniteArticle, pluralOf, withArticle } from './inflection';
import type { PromptShape } from './lexicon';
import { settingPreposition } from './setting-preposition';
import {
  WORLD_COUNTS,
  WORLD_MATERIALS,
  WORLD_OBJECTS,
  WORLD_SCENES,
  WORLD_SEASONS,
  WORLD_STYLES,
  WORLD_TIMES,
  WORLD_WEATHER,
  type WorldObject,
  type WorldSetting,
} from './vocabulary';

/** What a subject is shown doing: `smoking a pipe` is `{ verb: 'smoke', object: 'pipe' }`, `sleeping` has no object. */
export interface Action {
  /** Verb lemma. */
  verb: string;
  /** Noun lemma of its object, written with an indefinite article. */
  object?: string;
}

/**
 * One kind of object in a scene, with how many of it and how it looks. Names are canonical vocabulary names or,
 * in open-vocabulary scenes, lexicon lemmas (`beekeeper`, `golden retriever`, `velvet`, `elderly`).
 */
export interface Subject {
  /** Canonical object name or noun lemma, e.g. `fox`, `fisherman`. */
  object: string;
  /** 1 to 5. */
  count: number;
  colour?: string;
  /** A curated material is written before the noun (`a wooden chair`), an open one after it (`made of velvet`). */
  material?: string;
  /** Attribute names (`small`, `glowing`, `elderly`...), in the order the prompt writes them. */
  attributes: string[];
  action?: Action;
}

/**
 * A prompt's content in structured form. Each subject names a different object; `quality` holds distinct
 * canonical quality modifiers in prompt order. Every value is a canonical vocabulary name.
 */
export interface Scene {
  subjects: Subject[];
  /** The setting drawn as background, e.g. `forest`, or a lexicon lemma such as `kitchen`. */
  background?: string;
  time?: string;
  weather?: string;
  season?: string;
  /** A curated style name, or an art medium or movement of the lexicon (`mosaic`, `cubism`). */
  style?: string;
  quality: string[];
  /** How the prompt frames its content: `portrait of ...`, `a close-up of ...`. */
  shape?: PromptShape;
}

const objectsByName = new Map(WORLD_OBJECTS.map((entry) => [entry.name, entry]));
const curatedMaterials = new Set(WORLD_MATERIALS.map((entry) => entry.name));
const curatedStyles = new Set(WORLD_STYLES.map((entry) => entry.name));
const curatedScenes = new Map(WORLD_SCENES.map((entry) => [entry.name, entry]));

/** True when the name is one of the curated objects (which the sketch renderer has recipes for). */
export function isCuratedObject(name: string): boolean {
  return objectsByName.has(name);
}

/** True when the material is a curated one (an adjective written before its noun). */
export function isCuratedMaterial(name: string): boolean {
  return curatedMaterials.has(name);
}

/** The noun of an object, singular or plural: the curated forms, else the lemma and its plural. */
export function objectNoun(name: string, plural: boolean): string {
  const curated = objectsByName.get(name);
  if (curated) return plural ? curated.plural : curated.name;
  return plural ? pluralOf(name) : name;
}

/** The setting as a noun phrase (`a beach`, `a kitchen`): the curated phrase, else the lemma with its article. */
export function settingNounPhrase(name: string): string {
  return curatedScenes.get(name)?.nounPhrase ?? withArticle(name);
}

/** The setting as it places subjects (`on a beach`, `in a kitchen`, `by a river`). */
export function settingPhrase(name: string): string {
  return curatedScenes.get(name)?.phrase ?? `${settingPreposition(name)} ${withArticle(name)}`;
}

/** The style as the canonical prompt writes it: a curated name (`watercolour`), else `in the style of cubism`. */
export function stylePhrase(style: string): string {
  return curatedStyles.has(style) ? style : `in the style of ${style}`;
}

/** An action as written after its subject: `smoking a pipe`, `sleeping`. */
export function actionPhrase(action: Action): string {
  const verb = gerundOf(action.verb);
  return action.object === undefined ? verb : `${verb} ${withArticle(objectNoun(action.object, false))}`;
}

/** Looks an object up by canonical name; throws on a name outside the vocabulary. */
export function worldObject(name: string): WorldObject {
  const found = objectsByName.get(name);
  if (!found) throw new Error(`unknown object "${name}"`);
  return found;
}

function setting(table: readonly WorldSetting[], name: string, field: string): WorldSetting {
  const found = table.find((entry) => entry.name === name);
  if (!found) throw new Error(`scene.${field}: unknown value "${name}"`);
  return found;
}

/**
 * The noun phrase of one subject, e.g. `two small red wooden chairs`, `an old fox`, `a teapot made of jade` or
 * `an elderly fisherman smoking a pipe`.
 */
export function renderSubject(subject: Subject): string {
  const noun = objectNoun(subject.object, subject.count > 1);
  const words = [...subject.attributes];
  if (subject.colour) words.push(subject.colour);
  const openMaterial = subject.material !== undefined && !curatedMaterials.has(subject.material);
  if (subject.material && !openMaterial) words.push(subject.material);
  words.push(noun);
  const head = words.join(' ');
  let phrase: string;
  if (subject.count === 1) {
    phrase = `${indefiniteArticle(head)} ${head}`;
  } else {
    const count = WORLD_COUNTS.find((entry) => entry.value === subject.count);
    if (!count) throw new Error(`scene subject "${subject.object}": count ${subject.count} is outside 1..5`);
    phrase = `${count.word} ${head}`;
  }
  if (openMaterial) phrase += ` made of ${subject.material}`;
  if (subject.action) phrase += ` ${actionPhrase(subject.action)}`;
  return phrase;
}

/** Joins phrases as English lists: `a`, `a and b`, `a, b and c`. */
export function joinList(phrases: readonly string[]): string {
  if (phrases.length <= 1) return phrases.join('');
  return `${phrases.slice(0, -1).join(', ')} and ${phrases[phrases.length - 1]}`;
}

/** `portrait of ` or `a close-up of ` before content framed that way. */
export function shapeLead(shape: PromptShape | undefined): string {
  if (shape === 'portrait') return 'portrait of ';
  if (shape === 'close-up') return 'a close-up of ';
  return '';
}

/** The content part of a prompt (framing, subjects, setting, time, weather, season) without style or quality. */
export function renderContent(scene: Scene): string {
  const parts: string[] = [];
  if (scene.subjects.length > 0) {
    parts.push(shapeLead(scene.shape) + joinList(scene.subjects.map(renderSubject)));
    if (scene.background) parts.push(settingPhrase(scene.background));
  } else if (scene.background) {
    parts.push(shapeLead(scene.shape) + settingNounPhrase(scene.background));
  } else {
    parts.push('an empty scene');
  }
  if (scene.time) parts.push(setting(WORLD_TIMES, scene.time, 'time').phrase);
  if (scene.weather) parts.push(setting(WORLD_WEATHER, scene.weather, 'weather').phrase);
  if (scene.season) parts.push(setting(WORLD_SEASONS, scene.season, 'season').phrase);
  return parts.join(' ');
}

/**
 * Writes a scene as its canonical simple prompt: content, then style, then quality modifiers, comma separated,
 * e.g. `two red foxes and a wooden chair in a forest at night, watercolour, highly detailed`.
 */
export function renderPrompt(scene: Scene): string {
  return [renderContent(scene), ...(scene.style ? [stylePhrase(scene.style)] : []), ...scene.quality].join(', ');
}

/** A deep copy, so edits never alias the input scene. */
export function cloneScene(scene: Scene): Scene {
  return {
    ...scene,
    subjects: scene.subjects.map((subject) => ({
      ...subject,
      attributes: [...subject.attributes],
      ...(subject.action ? { action: { ...subject.action } } : {}),
    })),
    quality: [...scene.quality],
  };
}
