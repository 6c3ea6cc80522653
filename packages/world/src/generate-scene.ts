import { ConfigError } from '@diffchat/core';
import type { Vocabulary } from './lexicon';
import { kindOfObject, type SubjectKind } from './object-kind';
import { type OpenSubjectKind, openPools } from './open-pools';
import { chance, pick, pickDistinct, pickWeighted, type Random } from './random-choice';
import { roundTrips } from './round-trip';
import { renderPrompt, type Scene, type Subject } from './scene';
import {
  type ObjectCategory,
  WORLD_ATTRIBUTES,
  WORLD_COLOURS,
  WORLD_MATERIALS,
  WORLD_OBJECTS,
  WORLD_SCENES,
  WORLD_SEASONS,
  WORLD_STYLES,
  WORLD_TIMES,
  WORLD_WEATHER,
} from './vocabulary';

/** Categories whose objects are often made of a material (`a wooden chair`); living things rarely are. */
const CRAFTED: ReadonlySet<ObjectCategory> = new Set(['vehicle', 'building', 'furniture', 'food', 'accessory']);

/** Probabilities of each part of a generated scene. */
export interface SceneShape {
  /** Weights of 1, 2 and 3 subjects. */
  subjectWeights: readonly [number, number, number];
  /** Weights of counts 1..5. */
  countWeights: readonly [number, number, number, number, number];
  colour: number;
  /** For crafted objects (vehicles, buildings, furniture, food, accessories); a tenth of it for living things. */
  material: number;
  attribute: number;
  background: number;
  time: number;
  weather: number;
  season: number;
  style: number;
}

/** The shape of simple prompts: mostly one subject in a setting, like the captions people type first. */
export const SIMPLE_SCENE_SHAPE: SceneShape = {
  subjectWeights: [0.7, 0.25, 0.05],
  countWeights: [0.65, 0.15, 0.1, 0.05, 0.05],
  colour: 0.45,
  material: 0.3,
  attribute: 0.15,
  background: 0.8,
  time: 0.25,
  weather: 0.15,
  season: 0.1,
  style: 0.08,
};

/** Which vocabulary the generators draw from. */
export interface VocabularyOptions {
  /**
   * `'curated'` (default): the world's own vocabulary, which the sketch renderer draws well; existing seeds give
   * the same outputs as before the open vocabulary existed. `'open'`: the curated vocabulary and the lexicon's.
   */
  vocabulary?: Vocabulary;
  /** With `'open'`: the share of subjects, settings, modifiers and styles drawn from the lexicon. Default 0.7. */
  openShare?: number;
}

/** The open share of the options, checked. @throws ConfigError naming `openShare` when outside 0..1. */
export function openShareOf(options: VocabularyOptions): number {
  const share = options.openShare ?? 0.7;
  if (!(share >= 0 && share <= 1)) throw new ConfigError(`openShare must be a number from 0 to 1, got ${share}`);
  return share;
}

/** Names of a vocabulary table. */
function names(table: readonly { name: string }[]): string[] {
  return table.map((entry) => entry.name);
}

/** Draws one subject of the given object (a curated name or, with the open vocabulary, a lexicon lemma). */
export function generateSubject(
  rng: Random,
  objectName: string,
  shape: SceneShape = SIMPLE_SCENE_SHAPE,
  options: VocabularyOptions = {},
): Subject {
  if (options.vocabulary === 'open') return generateOpenSubject(rng, objectName, shape, openShareOf(options));
  const entry = WORLD_OBJECTS.find((candidate) => candidate.name === objectName);
  if (!entry) throw new Error(`generateSubject: unknown object "${objectName}"`);
  const subject: Subject = { object: objectName, count: pickWeighted(rng, shape.countWeights) + 1, attributes: [] };
  if (chance(rng, shape.attribute)) subject.attributes.push(pick(rng, names(WORLD_ATTRIBUTES)));
  if (chance(rng, shape.colour)) subject.colour = pick(rng, names(WORLD_COLOURS));
  if (chance(rng, CRAFTED.has(entry.category) ? shape.material : shape.material / 10)) {
    subject.material = pick(rng, names(WORLD_MATERIALS));
  }
  return subject;
}

/** How often each kind of subject shows a colour or an action: people are rarely painted, often busy. */
const COLOUR_FACTOR: Readonly<Record<SubjectKind, number>> = { person: 0.1, animal: 0.4, food: 0.5, thing: 1 };
const ACTION_CHANCE: Readonly<Record<SubjectKind, number>> = { person: 0.55, animal: 0.4, food: 0, thing: 0 };
/** Relative frequency of each kind of open subject. */
const OPEN_KIND_WEIGHTS: ReadonlyArray<readonly [OpenSubjectKind, number]> = [
  ['person', 28],
  ['animal', 20],
  ['food', 10],
  ['plant', 8],
  ['vehicle', 10],
  ['clothing', 6],
  ['artifact', 18],
];
/** Share of multi-word nouns (`golden retriever`) among open ones: rare but present, as in real prompts. */
const MULTI_WORD_SHARE = 0.08;

/** One lemma of a pool, a multi-word one now and then. */
export function pickLemma(rng: Random, pool: { single: readonly string[]; multi: readonly string[] }): string {
  return pool.multi.length > 0 && chance(rng, MULTI_WORD_SHARE) ? pick(rng, pool.multi) : pick(rng, pool.single);
}

/** An open subject noun of a random kind. */
export function openSubjectName(rng: Random): string {
  const kind =
    OPEN_KIND_WEIGHTS[
      pickWeighted(
        rng,
        OPEN_KIND_WEIGHTS.map(([, weight]) => weight),
      )
    ]![0];
  return pickLemma(rng, openPools().subjects[kind]);
}

function generateOpenSubject(rng: Random, objectName: string, shape: SceneShape, openShare: number): Subject {
  const pools = openPools();
  const kind = kindOfObject(objectName);
  const subject: Subject = { object: objectName, count: pickWeighted(rng, shape.countWeights) + 1, attributes: [] };
  if (chance(rng, shape.attribute * 1.5)) {
    subject.attributes.push(
      chance(rng, openShare) ? pick(rng, pools.attributes[kind]) : pick(rng, names(WORLD_ATTRIBUTES)),
    );
  }
  if (chance(rng, shape.colour * COLOUR_FACTOR[kind])) {
    subject.colour = chance(rng, openShare / 3) ? pick(rng, pools.colours) : pick(rng, names(WORLD_COLOURS));
  }
  if (chance(rng, kind === 'thing' || kind === 'food' ? shape.material : shape.material / 10)) {
    subject.material = chance(rng, openShare) ? pick(rng, pools.materials) : pick(rng, names(WORLD_MATERIALS));
  }
  if (kind === 'person' || kind === 'animal') {
    if (chance(rng, ACTION_CHANCE[kind])) {
      const frames = pools.actions.filter((frame) => frame.agents.includes(kind));
      const frame = pick(rng, frames);
      subject.action =
        frame.objects.length > 0 ? { verb: frame.verb, object: pick(rng, frame.objects) } : { verb: frame.verb };
    }
  }
  return subject;
}

/** Draws a random scene of distinct objects; no quality modifiers (beautifying adds those). */
export function generateScene(
  rng: Random,
  shape: SceneShape = SIMPLE_SCENE_SHAPE,
  options: VocabularyOptions = {},
): Scene {
  if (options.vocabulary === 'open') return generateOpenScene(rng, shape, openShareOf(options));
  const subjectCount = pickWeighted(rng, shape.subjectWeights) + 1;
  const objects = pickDistinct(rng, names(WORLD_OBJECTS), subjectCount);
  const scene: Scene = { subjects: objects.map((name) => generateSubject(rng, name, shape)), quality: [] };
  if (chance(rng, shape.background)) scene.background = pick(rng, names(WORLD_SCENES));
  if (chance(rng, shape.time)) scene.time = pick(rng, names(WORLD_TIMES));
  if (chance(rng, shape.weather)) scene.weather = pick(rng, names(WORLD_WEATHER));
  if (chance(rng, shape.season)) scene.season = pick(rng, names(WORLD_SEASONS));
  if (chance(rng, shape.style)) scene.style = pick(rng, names(WORLD_STYLES));
  return scene;
}

/** A curated or open subject name absent from `taken`. */
export function drawSubjectName(rng: Random, openShare: number, taken: ReadonlySet<string>): string {
  for (;;) {
    const name = chance(rng, openShare) ? openSubjectName(rng) : pick(rng, names(WORLD_OBJECTS));
    if (!taken.has(name)) return name;
  }
}

/** A curated or open setting other than `current`. */
export function drawSetting(rng: Random, openShare: number, current?: string): string {
  for (;;) {
    const name = chance(rng, openShare) ? pickLemma(rng, openPools().settings) : pick(rng, names(WORLD_SCENES));
    if (name !== current) return name;
  }
}

/** A curated or open style other than `current`; open styles come at half the open share. */
export function drawStyle(rng: Random, openShare: number, current?: string): string {
  for (;;) {
    const name = chance(rng, openShare / 2) ? pick(rng, openPools().styles) : pick(rng, names(WORLD_STYLES));
    if (name !== current) return name;
  }
}

/**
 * An open-vocabulary scene whose prompt reads back as itself. A few word combinations read otherwise (a colour
 * and a noun that WordNet lists together, `red pine`); such a draw is replaced by the next one from the same
 * generator, so a seed still gives one scene.
 */
function generateOpenScene(rng: Random, shape: SceneShape, openShare: number): Scene {
  for (let attempt = 0; attempt < MAX_DRAWS; attempt++) {
    const scene = drawOpenScene(rng, shape, openShare);
    if (roundTrips(scene)) return scene;
  }
  throw new Error(`generateScene: no open-vocabulary scene read back as itself in ${MAX_DRAWS} draws`);
}

/** Draws before giving up; about one draw in a hundred is replaced, so this is never reached with a sound lexicon. */
export const MAX_DRAWS = 200;

function drawOpenScene(rng: Random, shape: SceneShape, openShare: number): Scene {
  const subjectCount = pickWeighted(rng, shape.subjectWeights) + 1;
  const taken = new Set<string>();
  for (let index = 0; index < subjectCount; index++) taken.add(drawSubjectName(rng, openShare, taken));
  const scene: Scene = {
    subjects: [...taken].map((name) => generateOpenSubject(rng, name, shape, openShare)),
    quality: [],
  };
  if (chance(rng, shape.background)) scene.background = drawSetting(rng, openShare);
  if (chance(rng, shape.time)) scene.time = pick(rng, names(WORLD_TIMES));
  if (chance(rng, shape.weather)) scene.weather = pick(rng, names(WORLD_WEATHER));
  if (chance(rng, shape.season)) scene.season = pick(rng, names(WORLD_SEASONS));
  if (chance(rng, shape.style)) scene.style = drawStyle(rng, openShare);
  const lone = scene.subjects.length === 1 ? scene.subjects[0]! : undefined;
  if (lone && lone.count === 1 && kindOfObject(lone.object) === 'person' && chance(rng, 0.2)) scene.shape = 'portrait';
  else if (chance(rng, 0.06)) scene.shape = 'close-up';
  return scene;
}

/** A simple prompt such as `a red fox in a forest`: the canonical rendering of a random scene. */
export function generateSimplePrompt(rng: Random, options: VocabularyOptions = {}): string {
  return renderPrompt(generateScene(rng, SIMPLE_SCENE_SHAPE, options));
}
