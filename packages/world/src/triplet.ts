import { applyEdit, type EditOperation } from './edit-operation';
import {
  generateScene,
  generateSubject,
  MAX_DRAWS,
  openShareOf,
  type SceneShape,
  SIMPLE_SCENE_SHAPE,
  type VocabularyOptions,
} from './generate-scene';
import { generateOpenEditOperation, phraseOpenInstruction, sameOperation } from './open-triplet';
import { chance, pick, pickWeighted, type Random } from './random-choice';
import { parseInstruction } from './rewriter';
import { roundTrips } from './round-trip';
import { renderPrompt, renderSubject, type Scene, type Subject, worldObject } from './scene';
import {
  MAX_COUNT,
  WORLD_COLOURS,
  WORLD_COUNTS,
  WORLD_MATERIALS,
  WORLD_OBJECTS,
  WORLD_SCENES,
  WORLD_SEASONS,
  WORLD_STYLES,
  WORLD_TIMES,
  WORLD_WEATHER,
  type WorldSetting,
} from './vocabulary';

/** An InstructPix2Pix-style edit triplet with its ground-truth operation. */
export interface WorldTriplet {
  /** Prompt before the edit. */
  input: string;
  /** The edit instruction, e.g. `make it night`. */
  edit: string;
  /** Prompt after the edit: the canonical rendering of `applyEdit(parse(input), meta.operation)`. */
  output: string;
  meta: { operation: EditOperation };
}

/** Scenes that get edited: a little richer than simple prompts so that every edit type has something to change. */
const TRIPLET_SCENE_SHAPE: SceneShape = { ...SIMPLE_SCENE_SHAPE, subjectWeights: [0.55, 0.35, 0.1], background: 0.85 };

/** Relative frequency of each edit type, in the order of `EDIT_TYPES`. */
const EDIT_WEIGHTS: Readonly<Record<EditOperation['type'], number>> = {
  add: 18,
  remove: 8,
  replace: 14,
  colour: 12,
  count: 8,
  material: 6,
  time: 10,
  weather: 8,
  season: 5,
  style: 7,
  background: 8,
};

function otherThan(rng: Random, table: readonly { name: string }[], current: string | undefined): string {
  return pick(
    rng,
    table.map((entry) => entry.name).filter((name) => name !== current),
  );
}

function absentObject(rng: Random, scene: Scene): string {
  const present = new Set(scene.subjects.map((subject) => subject.object));
  return pick(
    rng,
    WORLD_OBJECTS.map((entry) => entry.name).filter((name) => !present.has(name)),
  );
}

/**
 * Draws an edit that changes the given scene (never a no-op): a remove only when another subject or a background
 * stays, an add or replace only with an object the scene lacks. With `{ vocabulary: 'open' }` added and
 * replacing objects, colours, materials, styles and settings come from the lexicon too (at `openShare`).
 */
export function generateEditOperation(rng: Random, scene: Scene, options: VocabularyOptions = {}): EditOperation {
  const types = Object.keys(EDIT_WEIGHTS) as EditOperation['type'][];
  const allowed = types.filter((type) => {
    if (type === 'remove') return scene.subjects.length > 1 || (scene.subjects.length === 1 && !!scene.background);
    if (['replace', 'colour', 'count', 'material'].includes(type)) return scene.subjects.length > 0;
    return true;
  });
  const type =
    allowed[
      pickWeighted(
        rng,
        allowed.map((name) => EDIT_WEIGHTS[name]),
      )
    ]!;
  if (options.vocabulary === 'open') return generateOpenEditOperation(rng, scene, type, openShareOf(options));
  const target = scene.subjects.length > 0 ? pick(rng, scene.subjects) : undefined;
  switch (type) {
    case 'add': {
      const subject = generateSubject(rng, absentObject(rng, scene), {
        ...SIMPLE_SCENE_SHAPE,
        attribute: 0,
        colour: 0.6,
      });
      const operation: EditOperation = { type: 'add', object: subject.object, count: subject.count };
      if (subject.colour) operation.colour = subject.colour;
      if (subject.material) operation.material = subject.material;
      return operation;
    }
    case 'remove':
      return { type: 'remove', object: target!.object };
    case 'replace':
      return { type: 'replace', object: target!.object, replacement: absentObject(rng, scene) };
    case 'colour':
      return { type: 'colour', object: target!.object, colour: otherThan(rng, WORLD_COLOURS, target!.colour) };
    case 'count': {
      const counts = [1, 2, 3, 4, 5].filter((count) => count !== target!.count && count <= MAX_COUNT);
      return { type: 'count', object: target!.object, count: pick(rng, counts) };
    }
    case 'material':
      return { type: 'material', object: target!.object, material: otherThan(rng, WORLD_MATERIALS, target!.material) };
    case 'time':
      return { type: 'time', time: otherThan(rng, WORLD_TIMES, scene.time) };
    case 'weather':
      return { type: 'weather', weather: otherThan(rng, WORLD_WEATHER, scene.weather) };
    case 'season':
      return { type: 'season', season: otherThan(rng, WORLD_SEASONS, scene.season) };
    case 'style':
      return { type: 'style', style: otherThan(rng, WORLD_STYLES, scene.style) };
    case 'background':
      return { type: 'background', background: otherThan(rng, WORLD_SCENES, scene.background) };
  }
}

/** `the fox` / `the foxes`, as an instruction refers to a subject already in the picture. */
function reference(scene: Scene, object: string): string {
  const subject = scene.subjects.find((candidate) => candidate.object === object);
  const entry = worldObject(object);
  return `the ${subject && subject.count > 1 ? entry.plural : entry.name}`;
}

function bareNoun(object: string, plural: boolean): string {
  const entry = worldObject(object);
  if (plural) return entry.plural;
  return renderSubject({ object, count: 1, attributes: [] });
}

function countWord(count: number, rng: Random): string {
  if (count === 1) return pick(rng, ['just one', 'only one', 'a single']);
  return WORLD_COUNTS.find((entry) => entry.value === count)!.word;
}

function setting(table: readonly WorldSetting[], name: string): WorldSetting {
  return table.find((entry) => entry.name === name)!;
}

const WEATHER_PHRASES: Readonly<Record<string, readonly string[]>> = {
  clear: ['make it sunny', 'clear the sky', 'make the weather clear'],
  cloudy: ['make it cloudy', 'add clouds', 'make it overcast'],
  rain: ['make it rain', 'let it rain', 'add rain', 'make it rainy'],
  snow: ['let it snow', 'make it snow', 'add snowfall', 'make it snowy'],
  fog: ['make it foggy', 'add fog', 'add some mist'],
  storm: ['add a storm', 'make it stormy', 'add a thunderstorm'],
};

/**
 * Writes an edit as a natural instruction, in one of several phrasings per edit type. With
 * `{ vocabulary: 'open' }` it also names open-vocabulary words and uses the forms people write for them
 * (`make it a dog`, `give him a scarf`, `in the style of cubism`).
 */
export function phraseInstruction(
  operation: EditOperation,
  scene: Scene,
  rng: Random,
  options: VocabularyOptions = {},
): string {
  if (options.vocabulary === 'open') return phraseOpenInstruction(operation, scene, rng);
  const pronoun = scene.subjects.length > 1 ? 'them' : 'it';
  switch (operation.type) {
    case 'add': {
      const subject: Subject = { object: operation.object, count: operation.count, attributes: [] };
      if (operation.colour) subject.colour = operation.colour;
      if (operation.material) subject.material = operation.material;
      const phrase = renderSubject(subject);
      const templates = [
        `add ${phrase}`,
        `put ${phrase} in the picture`,
        `include ${phrase}`,
        `insert ${phrase}`,
        `there should also be ${phrase}`,
        `can you add ${phrase}`,
        `now with ${phrase}`,
        `add ${phrase} please`,
      ];
      if (scene.subjects.length > 0) {
        templates.push(`place ${phrase} next to ${reference(scene, pick(rng, scene.subjects).object)}`);
      }
      return pick(rng, templates);
    }
    case 'remove': {
      const target = reference(scene, operation.object);
      return pick(rng, [
        `remove ${target}`,
        `delete ${target}`,
        `get rid of ${target}`,
        `take away ${target}`,
        `take ${target} out`,
        `erase ${target}`,
        `without ${target}`,
        `lose ${target}`,
        `no more ${worldObject(operation.object).plural}`,
      ]);
    }
    case 'replace': {
      const target = reference(scene, operation.object);
      const plural = (scene.subjects.find((subject) => subject.object === operation.object)?.count ?? 1) > 1;
      const replacement = bareNoun(operation.replacement, plural);
      return pick(rng, [
        `turn ${target} into ${replacement}`,
        `replace ${target} with ${replacement}`,
        `change ${target} to ${replacement}`,
        `swap ${target} for ${replacement}`,
        `make ${target} ${replacement}`,
        `have ${replacement} instead of ${target}`,
        `${replacement} instead of ${target}`,
      ]);
    }
    case 'colour': {
      const target = reference(scene, operation.object);
      const colour = operation.colour;
      return pick(rng, [
        `make ${target} ${colour}`,
        `paint ${target} ${colour}`,
        `change the colour of ${target} to ${colour}`,
        `${target} should be ${colour}`,
        `recolour ${target} ${colour}`,
        `give ${target} a ${colour} colour`,
        `turn ${target} ${colour}`,
      ]);
    }
    case 'count': {
      const entry = worldObject(operation.object);
      const noun = operation.count > 1 ? entry.plural : entry.name;
      const count = countWord(operation.count, rng);
      return pick(rng, [
        `make it ${count} ${noun}`,
        `change the number of ${entry.plural} to ${WORLD_COUNTS.find((item) => item.value === operation.count)!.word}`,
        `show ${count} ${noun} instead`,
        `there should be ${count} ${noun}`,
        `i want ${count} ${noun}`,
      ]);
    }
    case 'material': {
      const target = reference(scene, operation.object);
      const material = WORLD_MATERIALS.find((entry) => entry.name === operation.material)!;
      const noun = material.aliases?.[0] ?? material.name;
      return pick(rng, [
        `make ${target} ${material.name}`,
        `make ${target} out of ${noun}`,
        `${target} should be made of ${noun}`,
        `use ${noun} for ${target}`,
      ]);
    }
    case 'time': {
      const time = setting(WORLD_TIMES, operation.time);
      return pick(rng, [
        `make it ${time.nounPhrase}`,
        `change the time to ${time.nounPhrase}`,
        `set it ${time.phrase}`,
        `show it ${time.phrase}`,
        `${time.phrase} instead`,
        `turn it into ${time.nounPhrase}`,
      ]);
    }
    case 'weather': {
      const weather = setting(WORLD_WEATHER, operation.weather);
      return pick(rng, [...WEATHER_PHRASES[weather.name]!, `change the weather to ${weather.nounPhrase}`]);
    }
    case 'season': {
      const season = operation.season;
      return pick(rng, [
        `make it ${season}`,
        `change the season to ${season}`,
        `set it in ${season}`,
        `turn it into ${season}`,
        `make it look like ${season}`,
      ]);
    }
    case 'style': {
      const style = WORLD_STYLES.find((entry) => entry.name === operation.style)!;
      return pick(rng, [
        `make it ${pick(rng, style.phrasings)}`,
        `turn it into ${pick(rng, style.phrasings)}`,
        `render it as ${pick(rng, style.phrasings)}`,
        `in ${style.name} style`,
        `change the style to ${style.name}`,
        `${style.name} style please`,
      ]);
    }
    case 'background': {
      const background = setting(WORLD_SCENES, operation.background);
      return pick(rng, [
        `move ${pronoun} to ${background.nounPhrase}`,
        `change the background to ${background.nounPhrase}`,
        `put ${pronoun} ${background.phrase}`,
        `set ${pronoun} ${background.phrase}`,
        `place everything ${background.phrase}`,
      ]);
    }
  }
}

/**
 * Draws an edit triplet: a random scene written as its canonical prompt, an edit that changes it, the edit as a
 * varied instruction, and the edited scene's canonical prompt; the operation is the ground truth in `meta`.
 *
 * With `{ vocabulary: 'open', openShare }` the scene and the edit draw from the lexicon too. Such a triplet is
 * kept only when its output reads back as the edited scene and its instruction reads back as its operation, so the
 * ground truth is what the words say; the few draws that fail are replaced by the next ones from the same generator.
 */
export function generateTriplet(rng: Random, options: VocabularyOptions = {}): WorldTriplet {
  if (options.vocabulary !== 'open') return drawTriplet(rng, options);
  for (let attempt = 0; attempt < MAX_DRAWS; attempt++) {
    const triplet = drawTriplet(rng, options);
    const { scene, operation } = triplet.meta as { scene: Scene; operation: EditOperation };
    const edited = applyEdit(scene, operation);
    if (!roundTrips(edited)) continue;
    if (!sameOperation(parseInstruction(triplet.edit, scene, { vocabulary: 'open' }), operation)) continue;
    return { input: triplet.input, edit: triplet.edit, output: triplet.output, meta: { operation } };
  }
  throw new Error(`generateTriplet: no open-vocabulary triplet read back as itself in ${MAX_DRAWS} draws`);
}

function drawTriplet(rng: Random, options: VocabularyOptions): WorldTriplet & { meta: { scene?: Scene } } {
  const scene = generateScene(rng, TRIPLET_SCENE_SHAPE, options);
  const operation = generateEditOperation(rng, scene, options);
  const phrase = phraseInstruction(operation, scene, rng, options);
  const edit = chance(rng, 0.1) ? `${phrase}.` : phrase;
  return {
    input: renderPrompt(scene),
    edit: chance(rng, 0.2) ? edit.charAt(0).toUpperCase() + edit.slice(1) : edit,
    output: renderPrompt(applyEdit(scene, operation)),
    meta: options.vocabulary === 'open' ? { operation, scene } : { operation },
  };
}
