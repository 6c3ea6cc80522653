import {
  WORLD_COUNTS,
  WORLD_OBJECTS,
  WORLD_SCENES,
  WORLD_SEASONS,
  WORLD_TIMES,
  WORLD_WEATHER,
  type WorldObject,
  type WorldSetting,
} from './vocabulary';

/** One kind of object in a scene, with how many of it and how it looks. Names are canonical vocabulary names. */
export interface Subject {
  /** Canonical object name, e.g. `fox`. */
  object: string;
  /** 1 to 5. */
  count: number;
  colour?: string;
  material?: string;
  /** Canonical attribute names (`small`, `glowing`...), in the order the prompt writes them. */
  attributes: string[];
}

/**
 * A prompt's content in structured form. Each subject names a different object; `quality` holds distinct
 * canonical quality modifiers in prompt order. Every value is a canonical vocabulary name.
 */
export interface Scene {
  subjects: Subject[];
  /** The setting drawn as background, e.g. `forest`. */
  background?: string;
  time?: string;
  weather?: string;
  season?: string;
  style?: string;
  quality: string[];
}

const objectsByName = new Map(WORLD_OBJECTS.map((entry) => [entry.name, entry]));

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

function article(nextWord: string): string {
  return /^[aeiou]/.test(nextWord) ? 'an' : 'a';
}

/** The noun phrase of one subject, e.g. `two small red wooden chairs` or `an old fox`. */
export function renderSubject(subject: Subject): string {
  const entry = worldObject(subject.object);
  const noun = subject.count > 1 ? entry.plural : entry.name;
  const words = [...subject.attributes];
  if (subject.colour) words.push(subject.colour);
  if (subject.material) words.push(subject.material);
  words.push(noun);
  const head = words.join(' ');
  if (subject.count === 1) return `${article(head)} ${head}`;
  const count = WORLD_COUNTS.find((entry) => entry.value === subject.count);
  if (!count) throw new Error(`scene subject "${subject.object}": count ${subject.count} is outside 1..5`);
  return `${count.word} ${head}`;
}

/** Joins phrases as English lists: `a`, `a and b`, `a, b and c`. */
export function joinList(phrases: readonly string[]): string {
  if (phrases.length <= 1) return phrases.join('');
  return `${phrases.slice(0, -1).join(', ')} and ${phrases[phrases.length - 1]}`;
}

/** The content part of a prompt (subjects, setting, time, weather, season) without style or quality. */
export function renderContent(scene: Scene): string {
  const parts: string[] = [];
  if (scene.subjects.length > 0) {
    parts.push(joinList(scene.subjects.map(renderSubject)));
    if (scene.background) parts.push(setting(WORLD_SCENES, scene.background, 'background').phrase);
  } else if (scene.background) {
    parts.push(setting(WORLD_SCENES, scene.background, 'background').nounPhrase);
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
  return [renderContent(scene), ...(scene.style ? [scene.style] : []), ...scene.quality].join(', ');
}

/** A deep copy, so edits never alias the input scene. */
export function cloneScene(scene: Scene): Scene {
  return {
    ...scene,
    subjects: scene.subjects.map((subject) => ({ ...subject, attributes: [...subject.attributes] })),
    quality: [...scene.quality],
  };
}
