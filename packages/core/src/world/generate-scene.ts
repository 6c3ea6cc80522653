import { chance, pick, pickDistinct, pickWeighted, type Random } from './random-choice';
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

/** Names of a vocabulary table. */
function names(table: readonly { name: string }[]): string[] {
  return table.map((entry) => entry.name);
}

/** Draws one subject of the given object. */
export function generateSubject(rng: Random, objectName: string, shape: SceneShape = SIMPLE_SCENE_SHAPE): Subject {
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

/** Draws a random scene of distinct objects; no quality modifiers (beautifying adds those). */
export function generateScene(rng: Random, shape: SceneShape = SIMPLE_SCENE_SHAPE): Scene {
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

/** A simple prompt such as `a red fox in a forest`: the canonical rendering of a random scene. */
export function generateSimplePrompt(rng: Random): string {
  return renderPrompt(generateScene(rng));
}
