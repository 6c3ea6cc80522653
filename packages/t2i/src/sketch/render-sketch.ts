import { createRng } from '@diffchat/core';
import { parsePrompt, type QualityEffect, type Scene, type Subject, WORLD_QUALITIES } from '@diffchat/world';
import { type Canvas, createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { encodePng } from './png-encoder';
import {
  adjustColour,
  gradeImage,
  grain,
  mixTowards,
  neonEdges,
  outline,
  type Pixels,
  pencil,
  posterize,
  sepia,
  sharpen,
  stainedGlass,
  tealOrange,
  vignette,
} from './sketch-filters';
import { bodyFill, subjectPaint } from './sketch-paint';
import { type Anchor, RECIPES } from './sketch-recipes';
import { drawAtmosphere, drawBackground, horizonOf } from './sketch-scenery';
import { colourValue, type DrawingPlan, drawingOf, sketchBackground, sketchStyle } from './sketch-stand-ins';

/** Options of {@link renderSketch}. */
export interface SketchOptions {
  /** Image width in pixels, 16..2048 (default 256). */
  width?: number;
  /** Image height in pixels, 16..2048 (default 256). */
  height?: number;
  /** Seed of the layout jitter, stars, rain and textures (default 0); any safe integer. */
  seed?: number;
}

/** A rendered sketch. */
export interface SketchImage {
  /** PNG file bytes (RGBA, 8 bits per channel). */
  png: Uint8Array;
  width: number;
  height: number;
  /** Words of the prompt the world's open reader did not read into the scene; they are not drawn. */
  unknownWords: string[];
  /** What was drawn: the prompt read as a scene (open-vocabulary names as read, before mapping to backgrounds). */
  scene: Scene;
}

const QUALITY_EFFECTS = new Map(WORLD_QUALITIES.map((quality) => [quality.name, quality.effect]));
const SIZE_OF_ATTRIBUTE: Readonly<Record<string, number>> = {
  tiny: 0.5,
  small: 0.75,
  big: 1.3,
  giant: 1.7,
  // open-vocabulary sizes
  little: 0.75,
  petite: 0.75,
  diminutive: 0.6,
  wee: 0.6,
  large: 1.3,
  tall: 1.2,
  huge: 1.6,
  enormous: 1.6,
  gigantic: 1.7,
  massive: 1.6,
  oversized: 1.5,
};
const WEARABLES = new Set(['hat', 'scarf', 'crown']);
const WEARERS = new Set(['animal', 'person', 'bird']);
const TALL = new Set(['building', 'plant']);

interface Instance {
  subject: Subject;
  /** Position among the subject's `count` copies. */
  copy: number;
  flies: boolean;
}

function checkedSize(value: number | undefined, name: string): number {
  const size = value ?? 256;
  if (!Number.isInteger(size) || size < 16 || size > 2048) {
    throw new RangeError(`renderSketch: option "${name}" must be an integer from 16 to 2048, got ${value}`);
  }
  return size;
}

function effectsOf(scene: Scene): Map<QualityEffect, number> {
  const effects = new Map<QualityEffect, number>();
  for (const quality of scene.quality) {
    const effect = QUALITY_EFFECTS.get(quality);
    if (effect) effects.set(effect, (effects.get(effect) ?? 0) + 1);
  }
  return effects;
}

function sizeFactor(subject: Subject): number {
  return subject.attributes.reduce((factor, attribute) => factor * (SIZE_OF_ATTRIBUTE[attribute] ?? 1), 1);
}

const plans = new Map<string, DrawingPlan>();

/** How an object is drawn, remembered per name (the lexicon look-ups behind it are the same every time). */
function planOf(name: string): DrawingPlan {
  let plan = plans.get(name);
  if (plan === undefined) {
    plan = drawingOf(name);
    if (plans.size > 10_000) plans.clear();
    plans.set(name, plan);
  }
  return plan;
}

/** The generic shape of an object without a recipe: a rounded block in its colour, in unit space. */
function labelledShape(context: SKRSContext2D, body: ReturnType<typeof bodyFill>, look: { aspect: number }): undefined {
  const half = look.aspect / 2;
  context.fillStyle = body;
  context.beginPath();
  context.roundRect(-half, -1, look.aspect, 1, 0.18);
  context.fill();
  context.lineWidth = 0.05;
  context.strokeStyle = 'rgba(20,20,30,0.7)';
  context.stroke();
  return undefined;
}

/** Writes a noun across a labelled shape, in pixels, shrunk to fit its width. */
function writeLabel(context: SKRSContext2D, label: string, x: number, y: number, width: number): void {
  const fontSize = Math.max(5, Math.min(width / Math.max(3, label.length * 0.55), width * 0.3));
  context.save();
  context.font = `bold ${fontSize.toFixed(1)}px sans-serif`;
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  context.fillStyle = 'rgba(255,255,255,0.95)';
  context.strokeStyle = 'rgba(0,0,0,0.6)';
  context.lineWidth = Math.max(1, fontSize / 6);
  context.strokeText(label, x, y, width * 0.95);
  context.fillText(label, x, y, width * 0.95);
  context.restore();
}

/** Draws one object with its recipe, base at (x, baseY), `size` pixels tall; returns its wearable anchor in pixels. */
function drawObject(
  context: SKRSContext2D,
  subject: Subject,
  x: number,
  baseY: number,
  size: number,
  flip: boolean,
  detail: boolean,
  season: string | undefined,
): Anchor | undefined {
  const plan = planOf(subject.object);
  const look = plan.look;
  const paint = subjectPaint(
    look.colour,
    subject.colour ? colourValue(subject.colour) : undefined,
    subject.material,
    subject.attributes,
  );
  context.save();
  context.translate(x, baseY);
  context.scale(flip ? -size : size, size);
  if (paint.glowing) {
    context.shadowColor = 'rgba(255,240,150,0.95)';
    context.shadowBlur = Math.max(6, size * 0.25);
  }
  const body = bodyFill(context, paint, { x: -look.aspect / 2, y: -1, width: look.aspect, height: 1 }, size);
  const recipe = RECIPES[plan.recipe];
  const anchor = recipe
    ? recipe({ context, paint, body, look, detail, ...(season ? { season } : {}) })
    : labelledShape(context, body, look);
  if (
    paint.material &&
    ['golden', 'silver', 'metal', 'glass', 'crystal', 'plastic', 'ceramic', 'bronze'].includes(paint.material)
  ) {
    context.shadowBlur = 0;
    context.fillStyle = 'rgba(255,255,255,0.55)';
    context.beginPath();
    context.ellipse(-look.aspect * 0.15, -0.7, look.aspect * 0.06, 0.08, 0.5, 0, Math.PI * 2);
    context.fill();
  }
  context.restore();
  if (plan.label) writeLabel(context, plan.label, x, baseY - size / 2, size * look.aspect);
  if (!anchor) return undefined;
  const direction = flip ? -1 : 1;
  return {
    headX: x + anchor.headX * size * direction,
    headY: baseY + anchor.headY * size,
    headRadius: anchor.headRadius * size,
    neckY: baseY + anchor.neckY * size,
  };
}

function drawWearable(context: SKRSContext2D, subject: Subject, anchor: Anchor, detail: boolean): void {
  const radius = anchor.headRadius;
  if (subject.object === 'scarf') {
    drawObject(
      context,
      subject,
      anchor.headX,
      anchor.neckY + radius * 1.6 * 0.75,
      radius * 1.6,
      false,
      detail,
      undefined,
    );
  } else {
    const size = subject.object === 'hat' ? radius * 1.2 : radius * 0.9;
    drawObject(context, subject, anchor.headX, anchor.headY - radius * 0.75, size, false, detail, undefined);
  }
}

/** Lays the subjects out and draws them: ground rows (tall things behind), flyers in the sky, wearables on wearers. */
function drawSubjects(
  context: SKRSContext2D,
  width: number,
  height: number,
  scene: Scene,
  effects: Map<QualityEffect, number>,
  random: () => number,
): void {
  const detail = effects.has('detail');
  const composed = effects.has('composition');
  const horizon = horizonOf(scene.background) * height;
  const wearerExists = scene.subjects.some((subject) => WEARERS.has(planOf(subject.object).category));
  const ground: Instance[] = [];
  const flying: Instance[] = [];
  const worn: Instance[] = [];
  for (const subject of scene.subjects) {
    for (let copy = 0; copy < subject.count; copy++) {
      const look = planOf(subject.object).look;
      const instance: Instance = { subject, copy, flies: look.flies === true };
      if (WEARABLES.has(subject.object) && wearerExists) worn.push(instance);
      else if (instance.flies) flying.push(instance);
      else ground.push(instance);
    }
  }
  // tall things (buildings, trees) go to the back row and are drawn first
  ground.sort((left, right) => {
    const tallLeft = TALL.has(planOf(left.subject.object).category) ? 0 : 1;
    const tallRight = TALL.has(planOf(right.subject.object).category) ? 0 : 1;
    return tallLeft - tallRight;
  });
  const rows: Instance[][] =
    ground.length > 5
      ? [ground.slice(0, Math.ceil(ground.length / 2)), ground.slice(Math.ceil(ground.length / 2))]
      : [ground];
  const scale = (ground.length + flying.length <= 2 ? 1.3 : 1.1) * (composed ? 1.15 : 1);
  // sizes are compressed (power 0.75) so that a cup stays visible next to a castle
  const heightOf = (instance: Instance) => planOf(instance.subject.object).look.size ** 0.75 * height * scale;
  const anchors: Anchor[] = [];
  const span = composed ? 0.72 : 0.9;
  rows.forEach((row, rowIndex) => {
    const back = rows.length === 2 && rowIndex === 0;
    const baseY = horizon + (height - horizon) * (back ? 0.3 : rows.length === 2 ? 0.85 : 0.72);
    const slot = (width * span) / row.length;
    const left = composed && row.length === 1 ? width * 0.38 - slot / 2 : (width * (1 - span)) / 2;
    row.forEach((instance, index) => {
      const look = planOf(instance.subject.object).look;
      const x = left + slot * (index + 0.5) + (random() - 0.5) * slot * 0.15;
      const wanted = heightOf(instance) * sizeFactor(instance.subject) * (back ? 0.75 : 1);
      const size = Math.min(wanted, (slot * 0.92) / look.aspect, baseY - height * 0.04);
      context.fillStyle = 'rgba(0,0,0,0.16)';
      context.beginPath();
      context.ellipse(x, baseY, (look.aspect * size) / 2, Math.max(1.5, size * 0.06), 0, 0, Math.PI * 2);
      context.fill();
      const category = planOf(instance.subject.object).category;
      const flip = WEARERS.has(category) && random() < 0.35;
      const anchor = drawObject(context, instance.subject, x, baseY, size, flip, detail, scene.season);
      if (anchor && WEARERS.has(category)) anchors.push(anchor);
    });
  });
  flying.forEach((instance, index) => {
    const look = planOf(instance.subject.object).look;
    const slot = (width * span) / flying.length;
    const x = (width * (1 - span)) / 2 + slot * (index + 0.5);
    const size = Math.min(heightOf(instance) * sizeFactor(instance.subject), (slot * 0.9) / look.aspect, horizon * 0.6);
    const baseY = Math.min(horizon - 2, size + height * (0.06 + random() * 0.14));
    const anchor = drawObject(context, instance.subject, x, baseY, size, false, detail, scene.season);
    if (anchor && WEARERS.has(planOf(instance.subject.object).category)) anchors.push(anchor);
  });
  worn.forEach((instance, index) => {
    const anchor = anchors[index];
    if (anchor) drawWearable(context, instance.subject, anchor, detail);
    else {
      const size = heightOf(instance);
      drawObject(
        context,
        instance.subject,
        width * (0.15 + 0.7 * ((index + 0.5) / worn.length)),
        height * 0.92,
        size,
        false,
        detail,
        undefined,
      );
    }
  });
}

function blurInPlace(canvas: Canvas, context: SKRSContext2D, radius: number): void {
  const copy = createCanvas(canvas.width, canvas.height);
  copy.getContext('2d').drawImage(canvas, 0, 0);
  context.filter = `blur(${radius}px)`;
  context.drawImage(copy, 0, 0);
  context.filter = 'none';
}

/** Light rays that `volumetric lighting` asks for, drawn with canvas compositing. */
function drawLighting(context: SKRSContext2D, canvas: Canvas, effects: Map<QualityEffect, number>): void {
  const { width, height } = canvas;
  if (effects.has('light rays')) {
    context.globalCompositeOperation = 'screen';
    const fade = context.createLinearGradient(0, 0, 0, height);
    fade.addColorStop(0, 'rgba(255,248,220,0.28)');
    fade.addColorStop(1, 'rgba(255,248,220,0)');
    context.fillStyle = fade;
    for (let ray = 0; ray < 4; ray++) {
      const x = width * (0.45 + ray * 0.14);
      context.beginPath();
      context.moveTo(x, 0);
      context.lineTo(x + width * 0.06, 0);
      context.lineTo(x - width * 0.25, height);
      context.lineTo(x - width * 0.4, height);
      context.fill();
    }
  }
  context.globalCompositeOperation = 'source-over';
}

/** Styles as image filters over the finished picture. */
function applyStyle(canvas: Canvas, context: SKRSContext2D, style: string, random: () => number, seed: number): void {
  const { width, height } = canvas;
  const pixels = (): Pixels => context.getImageData(0, 0, width, height);
  const put = (image: Pixels) => context.putImageData(image as ReturnType<SKRSContext2D['getImageData']>, 0, 0);
  switch (style) {
    case 'watercolour': {
      blurInPlace(canvas, context, Math.max(1, width / 200));
      const image = pixels();
      posterize(image, 9);
      mixTowards(image, [250, 246, 235], 0.2);
      grain(image, 7, seed);
      put(image);
      break;
    }
    case 'oil painting': {
      const image = pixels();
      const stroke = Math.max(2.5, width / 64);
      for (let dab = 0; dab < (width * height) / 120; dab++) {
        const x = Math.floor(random() * width);
        const y = Math.floor(random() * height);
        const index = (y * width + x) * 4;
        const angle = random() * Math.PI;
        context.strokeStyle = `rgb(${image.data[index]},${image.data[index + 1]},${image.data[index + 2]})`;
        context.lineWidth = stroke;
        context.lineCap = 'round';
        context.beginPath();
        context.moveTo(x - Math.cos(angle) * stroke, y - Math.sin(angle) * stroke);
        context.lineTo(x + Math.cos(angle) * stroke, y + Math.sin(angle) * stroke);
        context.stroke();
      }
      const painted = pixels();
      adjustColour(painted, 1.2, 1.05);
      put(painted);
      break;
    }
    case 'pixel art': {
      const block = Math.max(4, Math.round(width / 48));
      const small = createCanvas(Math.ceil(width / block), Math.ceil(height / block));
      small.getContext('2d').drawImage(canvas, 0, 0, small.width, small.height);
      context.imageSmoothingEnabled = false;
      context.drawImage(small, 0, 0, small.width * block, small.height * block);
      context.imageSmoothingEnabled = true;
      const image = pixels();
      posterize(image, 12);
      adjustColour(image, 1.15, 1);
      put(image);
      break;
    }
    case 'neon': {
      const image = pixels();
      neonEdges(image);
      put(image);
      const glow = createCanvas(width, height);
      const glowContext = glow.getContext('2d');
      glowContext.filter = 'blur(3px)';
      glowContext.drawImage(canvas, 0, 0);
      context.globalCompositeOperation = 'screen';
      context.drawImage(glow, 0, 0);
      context.globalCompositeOperation = 'source-over';
      break;
    }
    case 'sketch': {
      const image = pixels();
      pencil(image);
      grain(image, 5, seed);
      put(image);
      break;
    }
    case 'cinematic': {
      const image = pixels();
      tealOrange(image, 0.22);
      adjustColour(image, 1.05, 1.15);
      vignette(image, 0.45);
      put(image);
      context.fillStyle = 'rgb(0,0,0)';
      context.fillRect(0, 0, width, Math.round(height * 0.11));
      context.fillRect(0, height - Math.round(height * 0.11), width, Math.round(height * 0.11));
      break;
    }
    case 'anime': {
      const image = pixels();
      adjustColour(image, 1.35, 1.05);
      posterize(image, 6);
      outline(image, 80, [35, 30, 45]);
      put(image);
      break;
    }
    case 'vintage photo': {
      const image = pixels();
      sepia(image);
      adjustColour(image, 1, 0.85);
      vignette(image, 0.5);
      grain(image, 12, seed);
      put(image);
      break;
    }
    case 'pastel': {
      const image = pixels();
      adjustColour(image, 0.75, 0.9);
      mixTowards(image, [255, 245, 250], 0.35);
      put(image);
      break;
    }
    case 'comic book': {
      const image = pixels();
      adjustColour(image, 1.25, 1.1);
      posterize(image, 5);
      outline(image, 70, [15, 15, 20]);
      put(image);
      break;
    }
    case 'stained glass': {
      const image = pixels();
      stainedGlass(image, Math.max(8, Math.round(width / 14)), random);
      put(image);
      break;
    }
  }
}

/**
 * Draws a prompt as a simple scene: a stand-in for a diffusion model, offline and deterministic (the same prompt,
 * size and seed give the same PNG bytes). The prompt is read with the prompt world's parser and its open
 * vocabulary; objects are drawn by their recipes in their colours, materials, sizes and counts, on the setting's
 * background, under its time of day, weather and season; quality words change lighting, palette, detail and
 * composition; the style is an image filter. A noun without a recipe of its own is drawn by its lexicon class's
 * recipe (an unknown animal as a quadruped) or, when no class fits, as a shape with the noun written on it; open
 * settings and styles take the closest curated background and filter. Words read into no scene part are not drawn
 * but listed in `unknownWords`.
 * @throws RangeError naming the option when width or height is not an integer from 16 to 2048
 */
export function renderSketch(prompt: string, options: SketchOptions = {}): SketchImage {
  const width = checkedSize(options.width, 'width');
  const height = checkedSize(options.height, 'height');
  const seed = options.seed ?? 0;
  const { scene, unknownWords } = parsePrompt(prompt, { vocabulary: 'open' });
  // Open settings and styles are drawn as the closest curated background and filter.
  const drawn: Scene = { ...scene };
  const background = sketchBackground(scene.background);
  if (background === undefined) delete drawn.background;
  else drawn.background = background;
  const style = sketchStyle(scene.style);
  if (style === undefined) delete drawn.style;
  else drawn.style = style;
  const root = createRng(seed);
  const stream = (role: string) => {
    const rng = root.fork(role);
    return () => rng.next();
  };
  const effects = effectsOf(scene);
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  drawBackground(context, width, height, drawn, stream('background'), effects.has('detail'));
  if (effects.has('depth of field')) blurInPlace(canvas, context, Math.max(1.5, width / 110));
  drawSubjects(context, width, height, drawn, effects, stream('layout'));
  drawAtmosphere(context, width, height, drawn, stream('atmosphere'));
  drawLighting(context, canvas, effects);
  if (scene.quality.length === 0) blurInPlace(canvas, context, Math.max(0.5, width / 400));
  const image: Pixels = context.getImageData(0, 0, width, height);
  const polish = Math.min(2, effects.get('polish') ?? 0);
  const sharpness = (effects.has('sharpen') ? 0.9 : 0) + (effects.has('detail') ? 0.5 : 0);
  if (sharpness > 0) sharpen(image, sharpness);
  gradeImage(image, {
    saturation: 0.8 + (effects.has('vibrant') ? 0.4 : 0) + polish * 0.08 + (effects.has('warm light') ? 0.08 : 0),
    contrast: 0.9 + (effects.has('contrast') ? 0.22 : 0) + polish * 0.05 - (effects.has('soft light') ? 0.05 : 0),
    warmth: effects.has('warm light') ? 1 : 0,
    softLight: effects.has('soft light') ? 1 : 0,
    vignette: effects.has('contrast') ? 0.35 : polish > 0 ? 0.15 : 0,
  });
  context.putImageData(image as ReturnType<SKRSContext2D['getImageData']>, 0, 0);
  if (drawn.style) applyStyle(canvas, context, drawn.style, stream('style'), seed);
  const finished = context.getImageData(0, 0, width, height);
  return {
    png: encodePng(finished.data, width, height),
    width,
    height,
    unknownWords,
    scene,
  };
}
