import type { SKRSContext2D } from '@napi-rs/canvas';
import { css, type FillStyle, mix, type Paint, type Rgb, shade } from './sketch-paint';

/**
 * How one object looks: default colour, proportions and where it goes. Objects that share a recipe differ by
 * `variant` and these numbers.
 */
export interface ObjectLook {
  colour: Rgb;
  /** Width over height of the drawing. */
  aspect: number;
  /** Height as a fraction of the image height, at normal size. */
  size: number;
  /** Drawn in the sky instead of standing on the ground. */
  flies?: boolean;
  variant: string;
}

/** Where a wearable goes on a creature, in the creature's unit space (ground at y = 0, top at y = -1). */
export interface Anchor {
  headX: number;
  headY: number;
  headRadius: number;
  neckY: number;
}

/** Everything a recipe needs; it draws in unit space: x centred on 0, ground at y = 0, height 1 up to y = -1. */
export interface RecipeInput {
  context: SKRSContext2D;
  paint: Paint;
  /** Fill of the main body (colour, material texture or sheen). */
  body: FillStyle;
  look: ObjectLook;
  /** Extra strokes and shading, asked for by detail quality words. */
  detail: boolean;
  season?: string;
}

type Recipe = (input: RecipeInput) => Anchor | undefined;

const look = (colour: Rgb, aspect: number, size: number, variant: string, flies = false): ObjectLook =>
  flies ? { colour, aspect, size, variant, flies } : { colour, aspect, size, variant };

/** The look of every object of the prompt world, by canonical name. */
export const OBJECT_LOOKS: Readonly<Record<string, ObjectLook>> = {
  fox: look([225, 110, 35], 1.5, 0.2, 'fox'),
  dog: look([150, 100, 60], 1.4, 0.22, 'dog'),
  cat: look([120, 120, 125], 1.3, 0.17, 'cat'),
  horse: look([110, 70, 40], 1.3, 0.34, 'horse'),
  cow: look([240, 240, 235], 1.5, 0.3, 'cow'),
  sheep: look([235, 235, 225], 1.4, 0.22, 'sheep'),
  rabbit: look([200, 195, 190], 1.1, 0.14, 'rabbit'),
  deer: look([175, 120, 70], 1.2, 0.32, 'deer'),
  elephant: look([140, 140, 150], 1.4, 0.38, 'elephant'),
  lion: look([215, 165, 70], 1.5, 0.28, 'lion'),
  bear: look([90, 60, 40], 1.4, 0.3, 'bear'),
  tiger: look([235, 130, 30], 1.6, 0.26, 'tiger'),
  pig: look([240, 170, 175], 1.4, 0.2, 'pig'),
  bird: look([60, 120, 210], 1.3, 0.09, 'bird', true),
  owl: look([140, 100, 70], 0.8, 0.13, 'owl'),
  duck: look([245, 215, 60], 1.2, 0.1, 'duck'),
  swan: look([250, 250, 250], 1.1, 0.16, 'swan'),
  parrot: look([40, 170, 70], 1.3, 0.11, 'parrot', true),
  penguin: look([55, 60, 85], 0.6, 0.17, 'penguin'),
  fish: look([245, 140, 40], 1.8, 0.07, 'fish', true),
  whale: look([70, 100, 140], 2.2, 0.16, 'whale', true),
  butterfly: look([150, 80, 200], 1.4, 0.07, 'butterfly', true),
  man: look([60, 100, 180], 0.4, 0.36, 'man'),
  woman: look([200, 60, 80], 0.45, 0.35, 'woman'),
  child: look([240, 200, 60], 0.45, 0.24, 'child'),
  astronaut: look([240, 240, 240], 0.55, 0.36, 'astronaut'),
  knight: look([165, 170, 180], 0.5, 0.37, 'knight'),
  wizard: look([100, 60, 160], 0.5, 0.4, 'wizard'),
  robot: look([150, 160, 175], 0.6, 0.32, 'robot'),
  car: look([200, 40, 40], 2, 0.15, 'car'),
  bus: look([245, 190, 30], 2.6, 0.22, 'bus'),
  truck: look([60, 110, 170], 2.4, 0.2, 'truck'),
  taxi: look([250, 205, 20], 2, 0.15, 'taxi'),
  bicycle: look([30, 130, 200], 1.6, 0.13, 'bicycle'),
  motorcycle: look([40, 40, 45], 1.7, 0.15, 'motorcycle'),
  boat: look([180, 110, 60], 2, 0.12, 'boat'),
  sailboat: look([240, 240, 240], 1.2, 0.3, 'sailboat'),
  ship: look([60, 60, 70], 2.6, 0.24, 'ship'),
  airplane: look([225, 230, 235], 2, 0.12, 'airplane', true),
  rocket: look([235, 235, 240], 0.9, 0.42, 'rocket'),
  'hot air balloon': look([230, 60, 60], 0.75, 0.3, 'hot air balloon', true),
  train: look([40, 120, 70], 3, 0.16, 'train'),
  house: look([230, 200, 160], 1.1, 0.4, 'house'),
  cabin: look([140, 90, 50], 1.2, 0.34, 'cabin'),
  castle: look([170, 165, 155], 1.4, 0.55, 'castle'),
  tower: look([180, 170, 160], 0.4, 0.6, 'tower'),
  lighthouse: look([240, 240, 235], 0.35, 0.6, 'lighthouse'),
  skyscraper: look([120, 150, 180], 0.4, 0.7, 'skyscraper'),
  church: look([225, 220, 210], 0.9, 0.55, 'church'),
  barn: look([180, 40, 40], 1.3, 0.38, 'barn'),
  windmill: look([230, 225, 215], 0.8, 0.55, 'windmill'),
  tent: look([240, 140, 40], 1.3, 0.22, 'tent'),
  tree: look([60, 150, 60], 0.8, 0.5, 'tree'),
  'pine tree': look([30, 110, 60], 0.55, 0.55, 'pine tree'),
  'palm tree': look([70, 170, 70], 0.8, 0.5, 'palm tree'),
  flower: look([240, 100, 160], 0.5, 0.12, 'flower'),
  sunflower: look([250, 200, 30], 0.45, 0.3, 'sunflower'),
  cactus: look([60, 150, 80], 0.7, 0.28, 'cactus'),
  mushroom: look([215, 40, 40], 1, 0.1, 'mushroom'),
  chair: look([200, 70, 60], 0.6, 0.2, 'chair'),
  table: look([235, 230, 220], 1.4, 0.17, 'table'),
  sofa: look([70, 110, 170], 2, 0.17, 'sofa'),
  bed: look([220, 220, 235], 2, 0.16, 'bed'),
  bench: look([60, 120, 70], 2, 0.13, 'bench'),
  lamp: look([245, 215, 120], 0.45, 0.3, 'lamp'),
  bookshelf: look([120, 75, 40], 0.7, 0.36, 'bookshelf'),
  apple: look([210, 30, 35], 1, 0.09, 'apple'),
  watermelon: look([50, 150, 60], 1.3, 0.1, 'watermelon'),
  donut: look([235, 130, 175], 1.6, 0.07, 'donut'),
  pizza: look([240, 180, 70], 2, 0.06, 'pizza'),
  cake: look([245, 220, 230], 1, 0.16, 'cake'),
  cupcake: look([240, 150, 190], 0.8, 0.1, 'cupcake'),
  teapot: look([245, 245, 240], 1.5, 0.11, 'teapot'),
  'coffee cup': look([245, 245, 245], 1.2, 0.07, 'coffee cup'),
  scarf: look([210, 40, 50], 0.8, 0.1, 'scarf'),
  hat: look([40, 40, 45], 1.1, 0.08, 'hat'),
  crown: look([240, 190, 40], 1.2, 0.07, 'crown'),
  umbrella: look([70, 90, 200], 1.1, 0.22, 'umbrella'),
  backpack: look([200, 110, 40], 0.8, 0.12, 'backpack'),
  kite: look([230, 50, 120], 0.7, 0.12, 'kite', true),
  balloon: look([230, 40, 60], 0.5, 0.14, 'balloon', true),
  guitar: look([190, 120, 50], 0.4, 0.22, 'guitar'),
  ball: look([230, 60, 50], 1, 0.07, 'ball'),
};

function ellipse(
  context: SKRSContext2D,
  x: number,
  y: number,
  radiusX: number,
  radiusY: number,
  fill: FillStyle,
): void {
  context.fillStyle = fill;
  context.beginPath();
  context.ellipse(x, y, Math.abs(radiusX), Math.abs(radiusY), 0, 0, Math.PI * 2);
  context.fill();
}

function polygon(context: SKRSContext2D, points: readonly (readonly [number, number])[], fill: FillStyle): void {
  context.fillStyle = fill;
  context.beginPath();
  for (const [index, [x, y]] of points.entries()) {
    if (index === 0) context.moveTo(x, y);
    else context.lineTo(x, y);
  }
  context.closePath();
  context.fill();
}

function box(context: SKRSContext2D, x: number, y: number, width: number, height: number, fill: FillStyle): void {
  context.fillStyle = fill;
  context.fillRect(x, y, width, height);
}

function stroke(
  context: SKRSContext2D,
  points: readonly (readonly [number, number])[],
  colour: string,
  width: number,
): void {
  context.strokeStyle = colour;
  context.lineWidth = width;
  context.lineCap = 'round';
  context.beginPath();
  for (const [index, [x, y]] of points.entries()) {
    if (index === 0) context.moveTo(x, y);
    else context.lineTo(x, y);
  }
  context.stroke();
}

const dark = (input: RecipeInput, factor = 0.55) => css(shade(input.paint.base, factor), input.paint.alpha);
const light = (input: RecipeInput, factor = 1.4) => css(shade(input.paint.base, factor), input.paint.alpha);
const EYE = 'rgb(20,20,25)';

function quadruped(input: RecipeInput): Anchor {
  const { context, body } = input;
  const variant = input.look.variant;
  const width = input.look.aspect;
  const legHeight = variant === 'horse' || variant === 'deer' ? 0.45 : variant === 'rabbit' ? 0.12 : 0.3;
  const bodyRadiusY = variant === 'rabbit' ? 0.28 : (1 - legHeight) * 0.32;
  const bodyY = -legHeight - bodyRadiusY * 0.7;
  const bodyRadiusX = width * 0.32;
  const headRadius = variant === 'elephant' ? 0.22 : variant === 'rabbit' ? 0.17 : 0.15;
  const headX = bodyRadiusX + headRadius * 0.4;
  const headY = bodyY - bodyRadiusY - (variant === 'horse' || variant === 'deer' ? 0.22 : 0.05);
  // legs, tail, body, head: back to front so overlaps read right
  const legColour = dark(input, 0.8);
  for (const legX of [-bodyRadiusX * 0.7, -bodyRadiusX * 0.4, bodyRadiusX * 0.45, bodyRadiusX * 0.75]) {
    box(context, legX - 0.035 * width, bodyY, 0.07 * width, -bodyY, legColour);
  }
  const tailX = -bodyRadiusX;
  if (variant === 'fox' || variant === 'lion') {
    ellipse(context, tailX - 0.2, bodyY - 0.05, 0.25, 0.09, body);
    ellipse(context, tailX - 0.4, bodyY - 0.1, 0.07, 0.06, variant === 'fox' ? 'rgb(250,250,245)' : dark(input, 0.5));
  } else if (variant === 'pig') {
    stroke(
      context,
      [
        [tailX, bodyY],
        [tailX - 0.08, bodyY - 0.08],
        [tailX - 0.03, bodyY - 0.12],
      ],
      dark(input, 0.8),
      0.03,
    );
  } else if (variant !== 'rabbit' && variant !== 'bear' && variant !== 'sheep') {
    stroke(
      context,
      [
        [tailX, bodyY - 0.05],
        [tailX - 0.15, bodyY + 0.1],
      ],
      dark(input, 0.8),
      0.04,
    );
  }
  if (variant === 'sheep') {
    for (let index = 0; index < 7; index++) {
      const angle = (index / 7) * Math.PI * 2;
      ellipse(
        context,
        Math.cos(angle) * bodyRadiusX * 0.75,
        bodyY + Math.sin(angle) * bodyRadiusY * 0.7,
        0.13,
        0.12,
        body,
      );
    }
  }
  ellipse(context, 0, bodyY, bodyRadiusX, bodyRadiusY, body);
  if (variant === 'tiger' || variant === 'cow') {
    const markColour = variant === 'tiger' ? 'rgb(25,20,20)' : 'rgb(30,30,30)';
    for (const offset of [-0.5, -0.15, 0.2, 0.5]) {
      if (variant === 'tiger') {
        stroke(
          context,
          [
            [offset * bodyRadiusX, bodyY - bodyRadiusY * 0.9],
            [offset * bodyRadiusX + 0.05, bodyY + bodyRadiusY * 0.2],
          ],
          markColour,
          0.04,
        );
      } else {
        ellipse(context, offset * bodyRadiusX, bodyY - offset * 0.05, 0.07, 0.05, markColour);
      }
    }
  }
  if (variant === 'lion') ellipse(context, headX, headY, headRadius * 1.7, headRadius * 1.7, dark(input, 0.6));
  // ears
  const earColour = variant === 'fox' ? dark(input, 0.7) : body;
  if (
    variant === 'fox' ||
    variant === 'cat' ||
    variant === 'tiger' ||
    variant === 'lion' ||
    variant === 'horse' ||
    variant === 'deer'
  ) {
    for (const side of [-0.6, 0.4]) {
      polygon(
        context,
        [
          [headX + side * headRadius, headY - headRadius * 0.6],
          [headX + (side + 0.25) * headRadius, headY - headRadius * 1.8],
          [headX + (side + 0.6) * headRadius, headY - headRadius * 0.6],
        ],
        earColour,
      );
    }
  } else if (variant === 'rabbit') {
    ellipse(context, headX - 0.05, headY - headRadius * 1.8, 0.05, 0.2, body);
    ellipse(context, headX + 0.06, headY - headRadius * 1.8, 0.05, 0.2, body);
  } else if (variant === 'bear' || variant === 'pig' || variant === 'cow' || variant === 'sheep') {
    ellipse(
      context,
      headX - headRadius * 0.7,
      headY - headRadius * 0.8,
      headRadius * 0.4,
      headRadius * 0.35,
      earColour,
    );
    ellipse(
      context,
      headX + headRadius * 0.7,
      headY - headRadius * 0.8,
      headRadius * 0.4,
      headRadius * 0.35,
      earColour,
    );
  } else if (variant === 'elephant') {
    ellipse(context, headX - headRadius * 0.6, headY + 0.02, headRadius * 0.8, headRadius * 1.1, dark(input, 0.85));
  } else if (variant === 'dog') {
    ellipse(
      context,
      headX - headRadius * 0.7,
      headY + headRadius * 0.2,
      headRadius * 0.3,
      headRadius * 0.7,
      dark(input, 0.7),
    );
  }
  if (variant === 'deer') {
    for (const side of [-1, 1]) {
      stroke(
        context,
        [
          [headX + side * 0.04, headY - headRadius],
          [headX + side * 0.12, headY - headRadius - 0.2],
          [headX + side * 0.2, headY - headRadius - 0.25],
        ],
        'rgb(110,80,50)',
        0.025,
      );
    }
  }
  if (variant === 'cow') {
    stroke(
      context,
      [
        [headX - 0.1, headY - headRadius * 0.8],
        [headX - 0.16, headY - headRadius * 1.4],
      ],
      'rgb(230,220,190)',
      0.03,
    );
    stroke(
      context,
      [
        [headX + 0.1, headY - headRadius * 0.8],
        [headX + 0.16, headY - headRadius * 1.4],
      ],
      'rgb(230,220,190)',
      0.03,
    );
  }
  ellipse(context, headX, headY, headRadius, headRadius * 0.9, body);
  const snout = variant === 'fox' || variant === 'dog' || variant === 'horse' || variant === 'deer' ? 0.14 : 0.06;
  if (variant === 'elephant') {
    stroke(
      context,
      [
        [headX + headRadius * 0.7, headY],
        [headX + headRadius * 1.1, headY + 0.2],
        [headX + headRadius * 0.9, headY + 0.35],
      ],
      dark(input, 0.9),
      0.07,
    );
  } else if (variant === 'pig') {
    ellipse(context, headX + headRadius * 0.95, headY + 0.02, 0.05, 0.04, dark(input, 0.85));
  } else {
    polygon(
      context,
      [
        [headX + headRadius * 0.5, headY - headRadius * 0.4],
        [headX + headRadius + snout, headY + headRadius * 0.2],
        [headX + headRadius * 0.4, headY + headRadius * 0.6],
      ],
      body,
    );
    ellipse(context, headX + headRadius + snout - 0.01, headY + headRadius * 0.15, 0.025, 0.02, EYE);
  }
  ellipse(context, headX + headRadius * 0.35, headY - headRadius * 0.25, 0.022, 0.022, EYE);
  if (input.detail) {
    for (let index = 0; index < 6; index++) {
      const x = -bodyRadiusX * 0.6 + index * bodyRadiusX * 0.22;
      stroke(
        context,
        [
          [x, bodyY - bodyRadiusY * 0.5],
          [x + 0.04, bodyY - bodyRadiusY * 0.2],
        ],
        dark(input, 0.7),
        0.012,
      );
    }
    ellipse(
      context,
      -bodyRadiusX * 0.2,
      bodyY - bodyRadiusY * 0.45,
      bodyRadiusX * 0.45,
      bodyRadiusY * 0.25,
      light(input, 1.25),
    );
  }
  return { headX, headY, headRadius, neckY: headY + headRadius * 0.9 };
}

function bird(input: RecipeInput): Anchor {
  const { context, body } = input;
  const variant = input.look.variant;
  const beak = variant === 'duck' ? 'rgb(245,140,30)' : variant === 'swan' ? 'rgb(240,120,40)' : 'rgb(240,180,40)';
  if (variant === 'penguin') {
    ellipse(context, 0, -0.45, 0.28, 0.45, body);
    ellipse(context, 0.04, -0.4, 0.18, 0.35, 'rgb(245,245,245)');
    ellipse(context, 0, -0.85, 0.18, 0.16, body);
    polygon(
      context,
      [
        [0.15, -0.85],
        [0.3, -0.82],
        [0.15, -0.78],
      ],
      beak,
    );
    ellipse(context, 0.07, -0.88, 0.025, 0.025, 'rgb(250,250,250)');
    box(context, -0.15, -0.03, 0.12, 0.03, beak);
    box(context, 0.05, -0.03, 0.12, 0.03, beak);
    return { headX: 0, headY: -0.85, headRadius: 0.18, neckY: -0.7 };
  }
  if (variant === 'owl') {
    ellipse(context, 0, -0.45, 0.38, 0.45, body);
    ellipse(context, 0, -0.38, 0.24, 0.3, light(input, 1.35));
    for (const side of [-1, 1]) {
      ellipse(context, side * 0.15, -0.72, 0.13, 0.13, 'rgb(250,245,220)');
      ellipse(context, side * 0.15, -0.72, 0.06, 0.06, EYE);
      polygon(
        context,
        [
          [side * 0.3, -0.85],
          [side * 0.36, -1],
          [side * 0.18, -0.88],
        ],
        body,
      );
    }
    polygon(
      context,
      [
        [-0.04, -0.62],
        [0.04, -0.62],
        [0, -0.52],
      ],
      beak,
    );
    return { headX: 0, headY: -0.72, headRadius: 0.3, neckY: -0.55 };
  }
  if (variant === 'swan') {
    ellipse(context, -0.1, -0.28, 0.45, 0.25, body);
    stroke(
      context,
      [
        [0.2, -0.35],
        [0.32, -0.6],
        [0.25, -0.85],
      ],
      css(input.paint.base, input.paint.alpha),
      0.09,
    );
    ellipse(context, 0.28, -0.88, 0.09, 0.07, body);
    polygon(
      context,
      [
        [0.35, -0.9],
        [0.5, -0.85],
        [0.35, -0.83],
      ],
      beak,
    );
    ellipse(context, 0.3, -0.9, 0.02, 0.02, EYE);
    return { headX: 0.28, headY: -0.88, headRadius: 0.09, neckY: -0.7 };
  }
  const flying = input.look.flies === true;
  const bodyY = flying ? -0.5 : -0.4;
  ellipse(context, 0, bodyY, 0.4, 0.25, body);
  if (variant === 'parrot')
    polygon(
      context,
      [
        [-0.3, bodyY],
        [-0.65, bodyY + 0.35],
        [-0.5, bodyY + 0.05],
      ],
      'rgb(220,40,40)',
    );
  ellipse(context, 0.35, bodyY - 0.22, 0.18, 0.17, body);
  polygon(
    context,
    [
      [0.48, bodyY - 0.28],
      [0.66, bodyY - 0.2],
      [0.48, bodyY - 0.14],
    ],
    beak,
  );
  ellipse(context, 0.4, bodyY - 0.27, 0.03, 0.03, EYE);
  const wing = dark(input, 0.75);
  if (flying) {
    polygon(
      context,
      [
        [-0.15, bodyY - 0.1],
        [0.1, bodyY - 0.1],
        [-0.1, bodyY - 0.5],
      ],
      wing,
    );
  } else {
    ellipse(context, -0.05, bodyY, 0.22, 0.12, wing);
    stroke(
      context,
      [
        [-0.05, bodyY + 0.2],
        [-0.05, 0],
      ],
      beak,
      0.03,
    );
    stroke(
      context,
      [
        [0.1, bodyY + 0.2],
        [0.1, 0],
      ],
      beak,
      0.03,
    );
  }
  return { headX: 0.35, headY: bodyY - 0.22, headRadius: 0.18, neckY: bodyY - 0.08 };
}

function seaCreature(input: RecipeInput): undefined {
  const { context, body } = input;
  const width = input.look.aspect;
  ellipse(context, 0, -0.5, width * 0.38, 0.32, body);
  polygon(
    context,
    [
      [-width * 0.35, -0.5],
      [-width * 0.5, -0.8],
      [-width * 0.5, -0.2],
    ],
    body,
  );
  ellipse(context, width * 0.25, -0.55, 0.05, 0.05, EYE);
  if (input.look.variant === 'whale') {
    ellipse(context, width * 0.05, -0.38, width * 0.3, 0.12, light(input, 1.35));
    stroke(
      context,
      [
        [width * 0.1, -0.85],
        [width * 0.1, -1],
      ],
      'rgb(200,230,250)',
      0.05,
    );
  } else {
    polygon(
      context,
      [
        [-0.1, -0.8],
        [0.2, -0.8],
        [0, -0.6],
      ],
      dark(input, 0.75),
    );
  }
  return undefined;
}

function butterfly(input: RecipeInput): undefined {
  const { context, body } = input;
  ellipse(context, -0.3, -0.65, 0.28, 0.3, body);
  ellipse(context, 0.3, -0.65, 0.28, 0.3, body);
  ellipse(context, -0.25, -0.3, 0.2, 0.2, light(input));
  ellipse(context, 0.25, -0.3, 0.2, 0.2, light(input));
  ellipse(context, 0, -0.5, 0.05, 0.35, EYE);
  return undefined;
}

function person(input: RecipeInput): Anchor {
  const { context, body } = input;
  const variant = input.look.variant;
  const skin = 'rgb(240,200,165)';
  const headRadius = 0.11;
  const headY = -0.87;
  if (variant === 'robot') {
    box(context, -0.25, -0.65, 0.5, 0.4, body);
    box(context, -0.2, -0.25, 0.12, 0.25, dark(input, 0.7));
    box(context, 0.08, -0.25, 0.12, 0.25, dark(input, 0.7));
    box(context, -0.18, -0.95, 0.36, 0.27, body);
    ellipse(context, -0.08, -0.83, 0.04, 0.04, 'rgb(80,220,255)');
    ellipse(context, 0.08, -0.83, 0.04, 0.04, 'rgb(80,220,255)');
    stroke(
      context,
      [
        [0, -0.95],
        [0, -1],
      ],
      dark(input),
      0.02,
    );
    if (input.detail) box(context, -0.12, -0.55, 0.24, 0.15, 'rgb(60,60,70)');
    return { headX: 0, headY: -0.82, headRadius: 0.18, neckY: -0.66 };
  }
  const legColour = variant === 'astronaut' || variant === 'knight' ? body : 'rgb(50,50,70)';
  const legTop = variant === 'child' ? -0.4 : -0.45;
  box(context, -0.14, legTop, 0.11, -legTop, legColour);
  box(context, 0.03, legTop, 0.11, -legTop, legColour);
  if (variant === 'woman' || variant === 'wizard') {
    polygon(
      context,
      [
        [-0.12, -0.75],
        [0.12, -0.75],
        [0.3, variant === 'wizard' ? 0 : -0.25],
        [-0.3, variant === 'wizard' ? 0 : -0.25],
      ],
      body,
    );
  } else {
    box(context, -0.2, -0.76, 0.4, legTop + 0.76 + 0.03, body);
  }
  stroke(
    context,
    [
      [-0.2, -0.72],
      [-0.32, -0.45],
    ],
    variant === 'astronaut' || variant === 'knight' ? css(input.paint.base) : skin,
    0.07,
  );
  stroke(
    context,
    [
      [0.2, -0.72],
      [0.32, -0.45],
    ],
    variant === 'astronaut' || variant === 'knight' ? css(input.paint.base) : skin,
    0.07,
  );
  if (variant === 'astronaut') {
    ellipse(context, 0, headY, headRadius * 1.5, headRadius * 1.4, body);
    ellipse(context, 0.02, headY, headRadius * 1.05, headRadius * 0.8, 'rgb(40,60,90)');
    ellipse(context, 0.05, headY - 0.03, 0.03, 0.02, 'rgba(255,255,255,0.8)');
    box(context, -0.32, -0.7, 0.12, 0.3, dark(input, 0.8));
    return { headX: 0, headY, headRadius: headRadius * 1.5, neckY: -0.75 };
  }
  ellipse(context, 0, headY, headRadius, headRadius * 1.1, skin);
  if (variant === 'knight') {
    ellipse(context, 0, headY, headRadius * 1.15, headRadius * 1.2, body);
    box(context, -0.08, headY - 0.01, 0.16, 0.025, EYE);
    polygon(
      context,
      [
        [0, headY - 0.13],
        [0.04, headY - 0.26],
        [-0.02, headY - 0.2],
      ],
      'rgb(200,40,40)',
    );
    stroke(
      context,
      [
        [0.32, -0.45],
        [0.4, -1],
      ],
      'rgb(200,200,210)',
      0.03,
    );
  } else {
    const hair = variant === 'woman' ? 'rgb(120,70,30)' : variant === 'wizard' ? 'rgb(230,230,230)' : 'rgb(60,40,25)';
    ellipse(context, 0, headY - 0.05, headRadius * 1.05, headRadius * 0.6, hair);
    if (variant === 'woman') box(context, -0.12, headY - 0.05, 0.06, 0.2, hair);
    if (variant === 'woman') box(context, 0.06, headY - 0.05, 0.06, 0.2, hair);
    ellipse(context, -0.04, headY + 0.01, 0.015, 0.015, EYE);
    ellipse(context, 0.04, headY + 0.01, 0.015, 0.015, EYE);
    if (variant === 'wizard') {
      polygon(
        context,
        [
          [-0.1, headY + 0.05],
          [0.1, headY + 0.05],
          [0, headY + 0.28],
        ],
        hair,
      );
      polygon(
        context,
        [
          [-0.16, headY - 0.07],
          [0.16, headY - 0.07],
          [0.02, headY - 0.32],
        ],
        dark(input, 0.8),
      );
    }
  }
  if (input.detail) {
    box(context, -0.2, -0.5, 0.4, 0.04, dark(input, 0.6));
    ellipse(context, 0, -0.65, 0.04, 0.04, light(input, 1.5));
  }
  return { headX: 0, headY, headRadius, neckY: headY + headRadius * 1.2 };
}

function wheel(context: SKRSContext2D, x: number, y: number, radius: number): void {
  ellipse(context, x, y, radius, radius, 'rgb(30,30,35)');
  ellipse(context, x, y, radius * 0.45, radius * 0.45, 'rgb(170,170,175)');
}

function vehicle(input: RecipeInput): undefined {
  const { context, body } = input;
  const variant = input.look.variant;
  const width = input.look.aspect;
  const half = width / 2;
  const glass = 'rgb(170,210,235)';
  switch (variant) {
    case 'car':
    case 'taxi':
      box(context, -half, -0.6, width, 0.4, body);
      polygon(
        context,
        [
          [-half * 0.55, -0.6],
          [-half * 0.35, -1],
          [half * 0.4, -1],
          [half * 0.65, -0.6],
        ],
        body,
      );
      box(context, -half * 0.3, -0.92, half * 0.3, 0.3, glass);
      box(context, half * 0.08, -0.92, half * 0.35, 0.3, glass);
      if (variant === 'taxi') box(context, -0.12, -1.12, 0.24, 0.12, 'rgb(30,30,30)');
      wheel(context, -half * 0.6, -0.2, 0.2);
      wheel(context, half * 0.6, -0.2, 0.2);
      break;
    case 'bus':
    case 'truck':
      if (variant === 'truck') {
        box(context, -half, -1, width * 0.68, 0.8, body);
        box(context, half * 0.4, -0.75, width * 0.3, 0.55, dark(input, 0.8));
        box(context, half * 0.55, -0.7, width * 0.12, 0.25, glass);
      } else {
        box(context, -half, -1, width, 0.8, body);
        for (let index = 0; index < 5; index++)
          box(context, -half * 0.9 + index * width * 0.19, -0.9, width * 0.14, 0.3, glass);
      }
      wheel(context, -half * 0.65, -0.18, 0.18);
      wheel(context, half * 0.65, -0.18, 0.18);
      break;
    case 'bicycle':
    case 'motorcycle': {
      const radius = 0.3;
      context.strokeStyle = 'rgb(30,30,35)';
      context.lineWidth = variant === 'motorcycle' ? 0.1 : 0.05;
      for (const x of [-half * 0.6, half * 0.6]) {
        context.beginPath();
        context.arc(x, -radius, radius, 0, Math.PI * 2);
        context.stroke();
      }
      stroke(
        context,
        [
          [-half * 0.6, -radius],
          [0, -0.65],
          [half * 0.6, -radius],
          [half * 0.35, -0.85],
        ],
        css(input.paint.base),
        0.07,
      );
      if (variant === 'motorcycle') ellipse(context, 0, -0.6, half * 0.45, 0.15, body);
      break;
    }
    case 'boat':
    case 'sailboat':
    case 'ship': {
      const hullTop = variant === 'sailboat' ? -0.25 : -0.5;
      polygon(
        context,
        [
          [-half, hullTop],
          [half, hullTop],
          [half * 0.75, 0],
          [-half * 0.75, 0],
        ],
        variant === 'sailboat' ? 'rgb(120,70,40)' : body,
      );
      if (variant === 'sailboat') {
        stroke(
          context,
          [
            [0, hullTop],
            [0, -1],
          ],
          'rgb(90,60,30)',
          0.03,
        );
        polygon(
          context,
          [
            [0.03, -0.98],
            [0.03, hullTop - 0.05],
            [half * 0.9, hullTop - 0.05],
          ],
          body,
        );
      } else if (variant === 'ship') {
        box(context, -half * 0.5, -0.85, width * 0.45, 0.35, 'rgb(235,235,235)');
        box(context, half * 0.1, -1, 0.15, 0.2, 'rgb(200,50,40)');
      } else {
        stroke(
          context,
          [
            [-half * 0.3, hullTop],
            [half * 0.4, hullTop - 0.3],
          ],
          'rgb(120,90,60)',
          0.04,
        );
      }
      break;
    }
    case 'airplane':
      ellipse(context, 0, -0.5, half, 0.16, body);
      polygon(
        context,
        [
          [-0.1, -0.5],
          [0.25, -0.5],
          [-0.15, 0],
          [-0.35, 0],
        ],
        dark(input, 0.85),
      );
      polygon(
        context,
        [
          [-half * 0.8, -0.55],
          [-half * 0.95, -1],
          [-half * 0.7, -1],
          [-half * 0.55, -0.55],
        ],
        dark(input, 0.85),
      );
      for (let index = 0; index < 5; index++) ellipse(context, -0.2 + index * 0.12, -0.55, 0.03, 0.03, glass);
      break;
    case 'rocket':
      polygon(
        context,
        [
          [-0.22, -0.15],
          [0.22, -0.15],
          [0.22, -0.7],
          [0, -1],
          [-0.22, -0.7],
        ],
        body,
      );
      polygon(
        context,
        [
          [-0.22, -0.45],
          [-0.45, -0.05],
          [-0.22, -0.15],
        ],
        'rgb(210,50,40)',
      );
      polygon(
        context,
        [
          [0.22, -0.45],
          [0.45, -0.05],
          [0.22, -0.15],
        ],
        'rgb(210,50,40)',
      );
      ellipse(context, 0, -0.6, 0.1, 0.1, glass);
      polygon(
        context,
        [
          [-0.12, -0.15],
          [0.12, -0.15],
          [0, 0],
        ],
        'rgb(250,170,40)',
      );
      break;
    case 'hot air balloon':
      ellipse(context, 0, -0.65, half, 0.35, body);
      ellipse(context, 0, -0.65, half * 0.35, 0.35, light(input, 1.45));
      stroke(
        context,
        [
          [-half * 0.6, -0.4],
          [-0.12, -0.15],
        ],
        'rgb(90,70,50)',
        0.015,
      );
      stroke(
        context,
        [
          [half * 0.6, -0.4],
          [0.12, -0.15],
        ],
        'rgb(90,70,50)',
        0.015,
      );
      box(context, -0.13, -0.15, 0.26, 0.15, 'rgb(150,100,50)');
      break;
    case 'train':
      box(context, -half, -0.8, width * 0.35, 0.6, body);
      box(context, -half + width * 0.37, -0.8, width * 0.3, 0.6, body);
      box(context, half - width * 0.3, -1, width * 0.3, 0.8, dark(input, 0.8));
      box(context, half - width * 0.22, -0.9, width * 0.14, 0.25, glass);
      for (let index = 0; index < 6; index++) wheel(context, -half + 0.2 + (index * (width - 0.4)) / 5, -0.12, 0.12);
      break;
  }
  return undefined;
}

function building(input: RecipeInput): undefined {
  const { context, body } = input;
  const variant = input.look.variant;
  const width = input.look.aspect;
  const half = width / 2;
  const window = input.detail ? 'rgb(255,225,130)' : 'rgb(120,160,200)';
  const roof = variant === 'barn' ? 'rgb(90,40,30)' : 'rgb(150,60,45)';
  switch (variant) {
    case 'house':
    case 'cabin':
    case 'barn':
    case 'church': {
      const wallTop = variant === 'church' ? -0.45 : -0.6;
      box(context, -half, wallTop, width, -wallTop, body);
      polygon(
        context,
        [
          [-half * 1.1, wallTop],
          [0, variant === 'church' ? -0.7 : -1],
          [half * 1.1, wallTop],
        ],
        roof,
      );
      if (variant === 'church') {
        box(context, -0.12, -0.85, 0.24, 0.4, body);
        polygon(
          context,
          [
            [-0.15, -0.85],
            [0, -1.02],
            [0.15, -0.85],
          ],
          roof,
        );
      }
      box(context, -0.08, -0.28, 0.16, 0.28, 'rgb(90,55,30)');
      box(context, -half * 0.75, wallTop * 0.75, 0.16, 0.15, window);
      box(context, half * 0.75 - 0.16, wallTop * 0.75, 0.16, 0.15, window);
      if (variant === 'barn')
        stroke(
          context,
          [
            [-0.08, -0.28],
            [0.08, 0],
          ],
          'rgb(240,240,240)',
          0.02,
        );
      if (input.detail && variant === 'cabin') {
        for (let y = wallTop + 0.08; y < 0; y += 0.08)
          stroke(
            context,
            [
              [-half, y],
              [half, y],
            ],
            dark(input, 0.6),
            0.01,
          );
      }
      break;
    }
    case 'castle':
      box(context, -half * 0.7, -0.6, width * 0.7, 0.6, body);
      for (const x of [-half, half - 0.3]) {
        box(context, x, -0.9, 0.3, 0.9, body);
        for (let index = 0; index < 3; index++) box(context, x + index * 0.11, -0.98, 0.07, 0.08, body);
        polygon(
          context,
          [
            [x - 0.02, -0.98],
            [x + 0.15, -1.2],
            [x + 0.32, -0.98],
          ],
          roof,
        );
      }
      box(context, -0.1, -0.3, 0.2, 0.3, 'rgb(60,40,30)');
      box(context, -half * 0.45, -0.5, 0.08, 0.12, window);
      box(context, half * 0.35, -0.5, 0.08, 0.12, window);
      break;
    case 'tower':
    case 'lighthouse':
      polygon(
        context,
        [
          [-half, 0],
          [half, 0],
          [half * 0.7, -0.82],
          [-half * 0.7, -0.82],
        ],
        body,
      );
      if (variant === 'lighthouse') {
        for (const y of [-0.2, -0.5])
          polygon(
            context,
            [
              [-half * 0.95, y],
              [half * 0.95, y],
              [half * 0.88, y - 0.12],
              [-half * 0.88, y - 0.12],
            ],
            'rgb(210,40,40)',
          );
        box(context, -half * 0.6, -0.92, width * 0.6, 0.1, 'rgb(255,230,120)');
      } else {
        for (const y of [-0.3, -0.6]) box(context, -0.04, y, 0.08, 0.1, window);
      }
      polygon(
        context,
        [
          [-half * 0.8, -0.82 - (variant === 'lighthouse' ? 0.1 : 0)],
          [0, -1],
          [half * 0.8, -0.82 - (variant === 'lighthouse' ? 0.1 : 0)],
        ],
        roof,
      );
      break;
    case 'skyscraper':
      box(context, -half, -1, width, 1, body);
      for (let row = 0; row < 12; row++) {
        for (let column = 0; column < 3; column++) {
          box(
            context,
            -half + 0.04 + (column * (width - 0.06)) / 3,
            -0.96 + row * 0.08,
            (width - 0.2) / 3,
            0.045,
            window,
          );
        }
      }
      break;
    case 'windmill':
      polygon(
        context,
        [
          [-half * 0.6, 0],
          [half * 0.6, 0],
          [half * 0.35, -0.65],
          [-half * 0.35, -0.65],
        ],
        body,
      );
      polygon(
        context,
        [
          [-half * 0.4, -0.65],
          [0, -0.78],
          [half * 0.4, -0.65],
        ],
        roof,
      );
      for (let blade = 0; blade < 4; blade++) {
        const angle = blade * (Math.PI / 2) + 0.4;
        polygon(
          context,
          [
            [0, -0.7],
            [Math.cos(angle) * 0.45, -0.7 + Math.sin(angle) * 0.45],
            [Math.cos(angle + 0.25) * 0.42, -0.7 + Math.sin(angle + 0.25) * 0.42],
          ],
          'rgb(235,230,220)',
        );
      }
      box(context, -0.05, -0.2, 0.1, 0.2, 'rgb(90,55,30)');
      break;
    case 'tent':
      polygon(
        context,
        [
          [-half, 0],
          [0, -1],
          [half, 0],
        ],
        body,
      );
      polygon(
        context,
        [
          [-0.12, 0],
          [0, -0.45],
          [0.12, 0],
        ],
        dark(input, 0.5),
      );
      break;
  }
  return undefined;
}

function plant(input: RecipeInput): undefined {
  const { context, body } = input;
  const variant = input.look.variant;
  const trunk = 'rgb(110,75,40)';
  const seasonal = (colour: FillStyle): FillStyle => {
    if (typeof colour !== 'string' || input.paint.material || input.paint.pattern) return colour;
    if (input.season === 'autumn') return css(mix(input.paint.base, [220, 120, 30], 0.7));
    if (input.season === 'winter') return css(mix(input.paint.base, [235, 240, 245], 0.6));
    if (input.season === 'spring') return css(mix(input.paint.base, [250, 190, 215], 0.3));
    return colour;
  };
  switch (variant) {
    case 'tree':
      box(context, -0.06, -0.45, 0.12, 0.45, trunk);
      ellipse(context, 0, -0.65, 0.38, 0.33, seasonal(body));
      if (input.detail) {
        ellipse(context, -0.15, -0.75, 0.16, 0.13, css(shade(input.paint.base, 1.25)));
        ellipse(context, 0.15, -0.55, 0.14, 0.1, css(shade(input.paint.base, 0.75)));
      }
      break;
    case 'pine tree':
      box(context, -0.05, -0.2, 0.1, 0.2, trunk);
      for (const [y, half] of [
        [-0.2, 0.27],
        [-0.45, 0.22],
        [-0.7, 0.15],
      ] as const) {
        polygon(
          context,
          [
            [-half, y],
            [0, y - 0.35],
            [half, y],
          ],
          seasonal(body),
        );
      }
      break;
    case 'palm tree':
      stroke(
        context,
        [
          [0, 0],
          [0.05, -0.5],
          [0.12, -0.85],
        ],
        'rgb(140,100,55)',
        0.07,
      );
      for (let leaf = 0; leaf < 6; leaf++) {
        const angle = -Math.PI + (leaf / 5) * Math.PI;
        ellipse(context, 0.12 + Math.cos(angle) * 0.2, -0.85 + Math.sin(angle) * 0.08 + 0.05, 0.22, 0.05, body);
      }
      break;
    case 'flower':
    case 'sunflower': {
      const headY = -0.8;
      stroke(
        context,
        [
          [0, 0],
          [0, headY],
        ],
        'rgb(50,130,50)',
        variant === 'sunflower' ? 0.05 : 0.07,
      );
      ellipse(context, 0.1, -0.35, 0.1, 0.04, 'rgb(60,140,60)');
      const petal = variant === 'sunflower' ? 0.12 : 0.13;
      for (let index = 0; index < 8; index++) {
        const angle = (index / 8) * Math.PI * 2;
        ellipse(context, Math.cos(angle) * petal, headY + Math.sin(angle) * petal, 0.1, 0.1, body);
      }
      ellipse(context, 0, headY, 0.09, 0.09, variant === 'sunflower' ? 'rgb(100,60,20)' : 'rgb(250,220,60)');
      break;
    }
    case 'cactus':
      box(context, -0.12, -1, 0.24, 1, body);
      box(context, -0.38, -0.6, 0.12, 0.3, body);
      box(context, -0.38, -0.36, 0.3, 0.1, body);
      box(context, 0.26, -0.75, 0.12, 0.3, body);
      box(context, 0.08, -0.5, 0.3, 0.1, body);
      break;
    case 'mushroom':
      box(context, -0.1, -0.55, 0.2, 0.55, 'rgb(240,230,210)');
      ellipse(context, 0, -0.6, 0.5, 0.35, body);
      for (const [x, y] of [
        [-0.25, -0.7],
        [0.1, -0.8],
        [0.3, -0.62],
      ] as const)
        ellipse(context, x, y, 0.07, 0.05, 'rgb(250,250,250)');
      break;
  }
  return undefined;
}

function furniture(input: RecipeInput): undefined {
  const { context, body } = input;
  const variant = input.look.variant;
  const width = input.look.aspect;
  const half = width / 2;
  const legs = dark(input, 0.6);
  switch (variant) {
    case 'chair':
      box(context, -half, -0.5, width, 0.1, body);
      box(context, -half, -1, 0.1, 0.5, body);
      box(context, -half, -0.4, 0.08, 0.4, legs);
      box(context, half - 0.08, -0.4, 0.08, 0.4, legs);
      break;
    case 'table':
    case 'bench':
      box(context, -half, -1, width, variant === 'bench' ? 0.25 : 0.15, body);
      box(context, -half + 0.05, -0.85, 0.1, 0.85, legs);
      box(context, half - 0.15, -0.85, 0.1, 0.85, legs);
      break;
    case 'sofa':
      box(context, -half, -0.7, width, 0.5, body);
      box(context, -half, -1, width, 0.35, dark(input, 0.85));
      box(context, -half - 0.05, -0.85, 0.2, 0.65, dark(input, 0.75));
      box(context, half - 0.15, -0.85, 0.2, 0.65, dark(input, 0.75));
      box(context, -half + 0.1, -0.2, 0.08, 0.2, 'rgb(60,40,25)');
      box(context, half - 0.18, -0.2, 0.08, 0.2, 'rgb(60,40,25)');
      break;
    case 'bed':
      box(context, -half, -0.55, width, 0.35, body);
      box(context, -half, -1, 0.12, 1, 'rgb(120,80,45)');
      box(context, -half + 0.14, -0.72, 0.4, 0.17, 'rgb(250,250,250)');
      box(context, -half, -0.2, width, 0.2, 'rgb(120,80,45)');
      break;
    case 'lamp':
      box(context, -0.03, -0.7, 0.06, 0.7, 'rgb(60,60,60)');
      box(context, -0.2, -0.04, 0.4, 0.04, 'rgb(60,60,60)');
      polygon(
        context,
        [
          [-0.3, -0.65],
          [0.3, -0.65],
          [0.18, -1],
          [-0.18, -1],
        ],
        body,
      );
      break;
    case 'bookshelf':
      box(context, -half, -1, width, 1, body);
      for (let shelf = 0; shelf < 4; shelf++) {
        const y = -0.95 + shelf * 0.24;
        box(context, -half + 0.05, y, width - 0.1, 0.19, 'rgb(60,40,25)');
        for (let book = 0; book < 6; book++) {
          const hue = ['rgb(200,50,50)', 'rgb(50,100,200)', 'rgb(60,160,80)', 'rgb(230,180,50)'][(book + shelf) % 4]!;
          box(context, -half + 0.07 + book * 0.09, y + 0.03, 0.07, 0.16, hue);
        }
      }
      break;
  }
  return undefined;
}

function food(input: RecipeInput): undefined {
  const { context, body } = input;
  const variant = input.look.variant;
  switch (variant) {
    case 'apple':
      ellipse(context, 0, -0.45, 0.45, 0.45, body);
      stroke(
        context,
        [
          [0, -0.88],
          [0.05, -1],
        ],
        'rgb(90,60,30)',
        0.06,
      );
      ellipse(context, 0.15, -0.95, 0.1, 0.05, 'rgb(60,150,50)');
      ellipse(context, -0.15, -0.6, 0.1, 0.08, light(input, 1.45));
      break;
    case 'watermelon':
      ellipse(context, 0, -0.5, 0.62, 0.5, body);
      for (const x of [-0.35, 0, 0.35])
        stroke(
          context,
          [
            [x, -0.95],
            [x * 1.1, -0.05],
          ],
          dark(input, 0.6),
          0.06,
        );
      break;
    case 'donut':
      ellipse(context, 0, -0.5, 0.78, 0.48, 'rgb(210,160,90)');
      ellipse(context, 0, -0.55, 0.7, 0.4, body);
      ellipse(context, 0, -0.55, 0.2, 0.12, 'rgb(210,160,90)');
      break;
    case 'pizza':
      ellipse(context, 0, -0.5, 0.98, 0.48, 'rgb(210,150,70)');
      ellipse(context, 0, -0.5, 0.85, 0.4, body);
      for (const [x, y] of [
        [-0.4, -0.5],
        [0.1, -0.65],
        [0.45, -0.45],
        [-0.05, -0.35],
      ] as const)
        ellipse(context, x, y, 0.1, 0.06, 'rgb(190,40,30)');
      break;
    case 'cake':
      box(context, -0.45, -0.5, 0.9, 0.5, body);
      box(context, -0.3, -0.85, 0.6, 0.35, body);
      box(context, -0.45, -0.55, 0.9, 0.06, 'rgb(230,120,160)');
      box(context, -0.02, -1, 0.04, 0.15, 'rgb(250,240,200)');
      ellipse(context, 0, -1.02, 0.03, 0.04, 'rgb(255,180,40)');
      break;
    case 'cupcake':
      polygon(
        context,
        [
          [-0.3, -0.45],
          [0.3, -0.45],
          [0.22, 0],
          [-0.22, 0],
        ],
        'rgb(200,140,80)',
      );
      ellipse(context, 0, -0.6, 0.38, 0.22, body);
      ellipse(context, 0, -0.8, 0.22, 0.16, body);
      ellipse(context, 0, -0.97, 0.06, 0.06, 'rgb(210,30,40)');
      break;
    case 'teapot':
      ellipse(context, 0, -0.42, 0.45, 0.42, body);
      stroke(
        context,
        [
          [0.4, -0.45],
          [0.7, -0.7],
        ],
        css(input.paint.base, input.paint.alpha),
        0.08,
      );
      context.strokeStyle = dark(input, 0.8);
      context.lineWidth = 0.06;
      context.beginPath();
      context.arc(-0.5, -0.45, 0.17, 0, Math.PI * 2);
      context.stroke();
      ellipse(context, 0, -0.88, 0.1, 0.08, dark(input, 0.8));
      break;
    case 'coffee cup':
      polygon(
        context,
        [
          [-0.35, -0.9],
          [0.35, -0.9],
          [0.28, 0],
          [-0.28, 0],
        ],
        body,
      );
      ellipse(context, 0, -0.9, 0.35, 0.08, 'rgb(90,55,30)');
      context.strokeStyle = css(input.paint.base, input.paint.alpha);
      context.lineWidth = 0.08;
      context.beginPath();
      context.arc(0.4, -0.5, 0.18, -Math.PI / 2, Math.PI / 2);
      context.stroke();
      break;
  }
  return undefined;
}

function accessory(input: RecipeInput): undefined {
  const { context, body } = input;
  const variant = input.look.variant;
  switch (variant) {
    case 'scarf':
      box(context, -0.4, -1, 0.8, 0.3, body);
      box(context, 0.1, -0.75, 0.25, 0.75, body);
      if (input.detail) for (const y of [-0.4, -0.2]) box(context, 0.1, y, 0.25, 0.05, dark(input, 0.7));
      break;
    case 'hat':
      box(context, -0.5, -0.2, 1, 0.2, body);
      box(context, -0.3, -1, 0.6, 0.85, body);
      box(context, -0.3, -0.4, 0.6, 0.12, 'rgb(200,40,40)');
      break;
    case 'crown':
      polygon(
        context,
        [
          [-0.5, 0],
          [0.5, 0],
          [0.5, -1],
          [0.25, -0.5],
          [0, -1],
          [-0.25, -0.5],
          [-0.5, -1],
        ],
        body,
      );
      ellipse(context, 0, -0.3, 0.08, 0.08, 'rgb(200,30,60)');
      break;
    case 'umbrella':
      stroke(
        context,
        [
          [0, -0.7],
          [0, -0.05],
          [0.1, 0],
        ],
        'rgb(60,60,60)',
        0.04,
      );
      context.fillStyle = body;
      context.beginPath();
      context.arc(0, -0.65, 0.55, Math.PI, 0);
      context.closePath();
      context.fill();
      break;
    case 'backpack':
      box(context, -0.4, -0.9, 0.8, 0.9, body);
      box(context, -0.3, -0.45, 0.6, 0.35, dark(input, 0.8));
      stroke(
        context,
        [
          [-0.2, -0.9],
          [0, -1],
          [0.2, -0.9],
        ],
        dark(input, 0.6),
        0.06,
      );
      break;
    case 'kite':
      polygon(
        context,
        [
          [0, -1],
          [0.35, -0.65],
          [0, -0.2],
          [-0.35, -0.65],
        ],
        body,
      );
      stroke(
        context,
        [
          [0, -0.2],
          [-0.1, 0.3],
          [0.05, 0.8],
        ],
        'rgb(80,80,80)',
        0.015,
      );
      break;
    case 'balloon':
      ellipse(context, 0, -0.7, 0.25, 0.3, body);
      stroke(
        context,
        [
          [0, -0.4],
          [0.05, -0.1],
          [-0.03, 0.3],
        ],
        'rgb(80,80,80)',
        0.015,
      );
      ellipse(context, -0.08, -0.8, 0.05, 0.08, light(input, 1.5));
      break;
    case 'guitar':
      ellipse(context, 0, -0.25, 0.2, 0.25, body);
      ellipse(context, 0, -0.52, 0.16, 0.17, body);
      ellipse(context, 0, -0.35, 0.06, 0.06, 'rgb(40,25,15)');
      box(context, -0.03, -1, 0.06, 0.5, 'rgb(70,45,25)');
      break;
    case 'ball':
      ellipse(context, 0, -0.5, 0.5, 0.5, body);
      stroke(
        context,
        [
          [-0.5, -0.5],
          [0.5, -0.5],
        ],
        'rgb(250,250,250)',
        0.08,
      );
      break;
  }
  return undefined;
}

/** Drawing functions by recipe id of the prompt world's objects. */
export const RECIPES: Readonly<Record<string, Recipe>> = {
  quadruped,
  bird,
  fish: seaCreature,
  butterfly,
  person,
  robot: person,
  car: vehicle,
  bicycle: vehicle,
  boat: vehicle,
  airplane: vehicle,
  rocket: vehicle,
  'hot air balloon': vehicle,
  train: vehicle,
  building,
  windmill: building,
  tent: building,
  tree: plant,
  flower: plant,
  cactus: plant,
  mushroom: plant,
  furniture,
  lamp: furniture,
  bookshelf: furniture,
  'round food': food,
  cake: food,
  teapot: food,
  cup: food,
  wearable: accessory,
  umbrella: accessory,
  backpack: accessory,
  kite: accessory,
  balloon: accessory,
  guitar: accessory,
  ball: accessory,
};
