import { isDeepStrictEqual } from 'node:util';
import type { EditOperation } from './edit-operation';
import { drawSetting, drawStyle, drawSubjectName, generateSubject, SIMPLE_SCENE_SHAPE } from './generate-scene';
import { withArticle } from './inflection';
import { kindOfObject } from './object-kind';
import { openPools } from './open-pools';
import { pronounOf } from './pronoun';
import { pick, type Random } from './random-choice';
import {
  isCuratedMaterial,
  objectNoun,
  renderSubject,
  type Scene,
  type Subject,
  settingNounPhrase,
  settingPhrase,
} from './scene';
import {
  MAX_COUNT,
  WORLD_COLOURS,
  WORLD_COUNTS,
  WORLD_MATERIALS,
  WORLD_SCENES,
  WORLD_SEASONS,
  WORLD_STYLES,
  WORLD_TIMES,
  WORLD_WEATHER,
} from './vocabulary';

function otherThan(rng: Random, names: readonly string[], current: string | undefined): string {
  return pick(
    rng,
    names.filter((name) => name !== current),
  );
}

const namesOf = (table: readonly { name: string }[]) => table.map((entry) => entry.name);

/** An edit of an open-vocabulary scene: the curated draws, with open nouns, colours, materials, styles and settings. */
export function generateOpenEditOperation(
  rng: Random,
  scene: Scene,
  type: EditOperation['type'],
  openShare: number,
): EditOperation {
  const target = scene.subjects.length > 0 ? pick(rng, scene.subjects) : undefined;
  const present = new Set(scene.subjects.map((subject) => subject.object));
  const pools = openPools();
  const mixed = (open: readonly string[], curated: readonly string[], current: string | undefined) =>
    rng() < openShare ? otherThan(rng, open, current) : otherThan(rng, curated, current);
  switch (type) {
    case 'add': {
      const name = drawSubjectName(rng, openShare, present);
      const subject = generateSubject(
        rng,
        name,
        { ...SIMPLE_SCENE_SHAPE, attribute: 0, colour: 0.6 },
        { vocabulary: 'open', openShare },
      );
      const operation: EditOperation = { type: 'add', object: subject.object, count: subject.count };
      if (subject.colour) operation.colour = subject.colour;
      if (subject.material) operation.material = subject.material;
      return operation;
    }
    case 'remove':
      return { type: 'remove', object: target!.object };
    case 'replace': {
      // Something doing something is replaced by something of its kind, so that the action still fits.
      const kind = target!.action ? kindOfObject(target!.object) : undefined;
      let replacement = drawSubjectName(rng, openShare, present);
      for (let tries = 0; kind !== undefined && kindOfObject(replacement) !== kind && tries < 50; tries++) {
        replacement = drawSubjectName(rng, openShare, present);
      }
      return { type: 'replace', object: target!.object, replacement };
    }
    case 'colour':
      return {
        type: 'colour',
        object: target!.object,
        colour: mixed(pools.colours, namesOf(WORLD_COLOURS), target!.colour),
      };
    case 'count': {
      const counts = [1, 2, 3, 4, 5].filter((count) => count !== target!.count && count <= MAX_COUNT);
      return { type: 'count', object: target!.object, count: pick(rng, counts) };
    }
    case 'material':
      return {
        type: 'material',
        object: target!.object,
        material: mixed(pools.materials, namesOf(WORLD_MATERIALS), target!.material),
      };
    case 'time':
      return { type: 'time', time: otherThan(rng, namesOf(WORLD_TIMES), scene.time) };
    case 'weather':
      return { type: 'weather', weather: otherThan(rng, namesOf(WORLD_WEATHER), scene.weather) };
    case 'season':
      return { type: 'season', season: otherThan(rng, namesOf(WORLD_SEASONS), scene.season) };
    case 'style':
      return { type: 'style', style: drawStyle(rng, openShare, scene.style) };
    case 'background':
      return { type: 'background', background: drawSetting(rng, openShare, scene.background) };
  }
}

function subjectOf(scene: Scene, object: string): Subject | undefined {
  return scene.subjects.find((subject) => subject.object === object);
}

/** `the fisherman` / `the fishermen`, as an instruction refers to a subject already in the picture. */
function reference(scene: Scene, object: string): string {
  return `the ${objectNoun(object, (subjectOf(scene, object)?.count ?? 1) > 1)}`;
}

/** The only subject when it is one person or thing (`it`, `him`, `her` can refer to it). */
function lone(scene: Scene): Subject | undefined {
  return scene.subjects.length === 1 && scene.subjects[0]!.count === 1 ? scene.subjects[0] : undefined;
}

function countWord(count: number, rng: Random): string {
  if (count === 1) return pick(rng, ['just one', 'only one', 'a single']);
  return WORLD_COUNTS.find((entry) => entry.value === count)!.word;
}

const WEATHER_PHRASES: Readonly<Record<string, readonly string[]>> = {
  clear: ['make it sunny', 'clear the sky'],
  cloudy: ['make it cloudy', 'add clouds', 'make it overcast'],
  rain: ['make it rain', 'let it rain', 'add rain', 'make it rainy'],
  snow: ['let it snow', 'make it snow', 'add snowfall', 'make it snowy'],
  fog: ['make it foggy', 'add fog', 'add some mist'],
  storm: ['add a storm', 'make it stormy', 'add a thunderstorm'],
};

/**
 * Writes an edit of an open-vocabulary scene as an instruction, in the forms people write: besides the curated
 * phrasings, `make it a dog` and `a dog instead` (replacing the only subject), `give him a scarf` and
 * `have the fisherman hold a lantern` (adds), `make her out of velvet`, `in the style of cubism`,
 * `make it a library` (a setting).
 */
export function phraseOpenInstruction(operation: EditOperation, scene: Scene, rng: Random): string {
  const pronoun = scene.subjects.length > 1 ? 'them' : 'it';
  const single = lone(scene);
  const personal = single && kindOfObject(single.object) === 'person' ? pronounOf(single.object) : undefined;
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
        `there should also be ${phrase}`,
        `can you add ${phrase}`,
        `now with ${phrase}`,
        `add ${phrase} please`,
      ];
      if (scene.subjects.length > 0) {
        templates.push(`place ${phrase} next to ${reference(scene, pick(rng, scene.subjects).object)}`);
      }
      // People are given things: half the additions to a lone person say so.
      if (personal && single && kindOfObject(operation.object) === 'thing' && rng() < 0.5) {
        return pick(rng, [`give ${personal} ${phrase}`, `have ${reference(scene, single.object)} hold ${phrase}`]);
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
        `erase ${target}`,
        `without ${target}`,
        `no more ${objectNoun(operation.object, true)}`,
      ]);
    }
    case 'replace': {
      const target = reference(scene, operation.object);
      const plural = (subjectOf(scene, operation.object)?.count ?? 1) > 1;
      const replacement = plural
        ? objectNoun(operation.replacement, true)
        : withArticle(objectNoun(operation.replacement, false));
      const templates = [
        `turn ${target} into ${replacement}`,
        `replace ${target} with ${replacement}`,
        `change ${target} to ${replacement}`,
        `swap ${target} for ${replacement}`,
        `${replacement} instead of ${target}`,
      ];
      if (single?.object === operation.object) templates.push(`make it ${replacement}`, `${replacement} instead`);
      return pick(rng, templates);
    }
    case 'colour': {
      const target = reference(scene, operation.object);
      return pick(rng, [
        `make ${target} ${operation.colour}`,
        `paint ${target} ${operation.colour}`,
        `change the colour of ${target} to ${operation.colour}`,
        `${target} should be ${operation.colour}`,
        `turn ${target} ${operation.colour}`,
      ]);
    }
    case 'count': {
      const noun = objectNoun(operation.object, operation.count > 1);
      const count = countWord(operation.count, rng);
      return pick(rng, [
        `make it ${count} ${noun}`,
        `show ${count} ${noun} instead`,
        `there should be ${count} ${noun}`,
        `i want ${count} ${noun}`,
      ]);
    }
    case 'material': {
      const target = reference(scene, operation.object);
      const curated = WORLD_MATERIALS.find((entry) => entry.name === operation.material);
      const noun = curated ? (curated.aliases?.[0] ?? curated.name) : operation.material;
      const templates = [
        `make ${target} out of ${noun}`,
        `${target} should be made of ${noun}`,
        `use ${noun} for ${target}`,
      ];
      if (isCuratedMaterial(operation.material)) templates.push(`make ${target} ${operation.material}`);
      if (personal && single?.object === operation.object) templates.push(`make ${personal} out of ${noun}`);
      return pick(rng, templates);
    }
    case 'time': {
      const time = WORLD_TIMES.find((entry) => entry.name === operation.time)!;
      return pick(rng, [
        `make it ${time.nounPhrase}`,
        `change the time to ${time.nounPhrase}`,
        `set it ${time.phrase}`,
        `${time.phrase} instead`,
      ]);
    }
    case 'weather':
      return pick(rng, WEATHER_PHRASES[operation.weather]!);
    case 'season':
      return pick(rng, [
        `make it ${operation.season}`,
        `change the season to ${operation.season}`,
        `set it in ${operation.season}`,
        `make it look like ${operation.season}`,
      ]);
    case 'style': {
      const curated = WORLD_STYLES.find((entry) => entry.name === operation.style);
      if (curated) {
        return pick(rng, [
          `make it ${pick(rng, curated.phrasings)}`,
          `render it as ${pick(rng, curated.phrasings)}`,
          `in ${curated.name} style`,
          `change the style to ${curated.name}`,
        ]);
      }
      return pick(rng, [
        `in the style of ${operation.style}`,
        `change the style to ${operation.style}`,
        `${operation.style} style please`,
      ]);
    }
    case 'background': {
      const templates = [
        `move ${pronoun} to ${settingNounPhrase(operation.background)}`,
        `change the background to ${settingNounPhrase(operation.background)}`,
        `put ${pronoun} ${settingPhrase(operation.background)}`,
        `set ${pronoun} ${settingPhrase(operation.background)}`,
      ];
      if (!WORLD_SCENES.some((entry) => entry.name === operation.background)) {
        templates.push(`make it ${settingNounPhrase(operation.background)}`);
      }
      return pick(rng, templates);
    }
  }
}

/** True when two operations are the same edit. */
export function sameOperation(left: EditOperation | undefined, right: EditOperation): boolean {
  return isDeepStrictEqual(left, right);
}
