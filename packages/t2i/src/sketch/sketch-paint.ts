import { type Canvas, createCanvas, type SKRSContext2D } from '@napi-rs/canvas';

/** An sRGB colour, 0-255 per channel. */
export type Rgb = readonly [number, number, number];

/** What a recipe fills an object's body with: a flat colour, a material gradient or a texture pattern. */
export type FillStyle = SKRSContext2D['fillStyle'];

/** CSS text of a colour with optional alpha. */
export function css(rgb: Rgb, alpha = 1): string {
  const [red, green, blue] = rgb.map((channel) => Math.round(Math.max(0, Math.min(255, channel))));
  return alpha >= 1 ? `rgb(${red},${green},${blue})` : `rgba(${red},${green},${blue},${alpha})`;
}

/** Scales a colour towards black (factor < 1) or towards white (factor > 1, by factor - 1 of the way). */
export function shade(rgb: Rgb, factor: number): Rgb {
  if (factor <= 1) return [rgb[0] * factor, rgb[1] * factor, rgb[2] * factor];
  const toWhite = Math.min(1, factor - 1);
  return [rgb[0] + (255 - rgb[0]) * toWhite, rgb[1] + (255 - rgb[1]) * toWhite, rgb[2] + (255 - rgb[2]) * toWhite];
}

/** Linear mix of two colours, `amount` of the way from `from` to `to`. */
export function mix(from: Rgb, to: Rgb, amount: number): Rgb {
  return [
    from[0] + (to[0] - from[0]) * amount,
    from[1] + (to[1] - from[1]) * amount,
    from[2] + (to[2] - from[2]) * amount,
  ];
}

/** Colours a material gives an object that has no colour of its own. */
export const MATERIAL_COLOURS: Readonly<Record<string, Rgb>> = {
  wooden: [150, 100, 55],
  glass: [170, 215, 235],
  golden: [230, 180, 40],
  silver: [195, 200, 210],
  stone: [135, 130, 125],
  marble: [222, 224, 236],
  metal: [105, 110, 120],
  crystal: [180, 235, 245],
  paper: [245, 240, 225],
  plastic: [240, 90, 120],
  ceramic: [240, 240, 235],
  bronze: [180, 115, 55],
};

const patternTiles = new Map<string, Canvas>();

/** A small tile for a textured material or a patterned attribute, drawn once and reused (deterministic). */
function tile(kind: string, base: Rgb): Canvas {
  const key = `${kind}/${base.map(Math.round).join(',')}`;
  const cached = patternTiles.get(key);
  if (cached) return cached;
  const size = 16;
  const canvas = createCanvas(size, size);
  const context = canvas.getContext('2d');
  context.fillStyle = css(base);
  context.fillRect(0, 0, size, size);
  context.strokeStyle = css(shade(base, 0.7));
  context.fillStyle = css(shade(base, 0.7));
  context.lineWidth = 1;
  if (kind === 'wooden') {
    for (const y of [3, 8, 13]) {
      context.beginPath();
      context.moveTo(0, y);
      context.bezierCurveTo(5, y - 1.5, 10, y + 1.5, 16, y);
      context.stroke();
    }
  } else if (kind === 'stone') {
    for (const [x, y] of [
      [2, 3],
      [9, 5],
      [5, 11],
      [13, 13],
      [12, 1],
    ] as const) {
      context.fillRect(x, y, 2, 2);
    }
  } else if (kind === 'marble') {
    context.strokeStyle = css(shade(base, 0.55));
    context.lineWidth = 1.5;
    context.beginPath();
    context.moveTo(0, 12);
    context.bezierCurveTo(5, 4, 9, 14, 16, 2);
    context.moveTo(0, 4);
    context.lineTo(6, 7);
    context.stroke();
  } else if (kind === 'ceramic') {
    context.fillStyle = 'rgb(60,90,170)';
    context.fillRect(0, 6, size, 2);
    context.fillRect(7, 0, 2, 2);
  } else if (kind === 'paper') {
    context.strokeStyle = css(shade(base, 0.75));
    context.beginPath();
    context.moveTo(0, 0);
    context.lineTo(size, size);
    context.stroke();
  } else if (kind === 'striped') {
    context.fillStyle = css(shade(base, 0.35));
    context.fillRect(0, 0, 5, size);
  } else if (kind === 'spotted') {
    context.fillStyle = css(shade(base, 0.35));
    context.beginPath();
    context.arc(4, 4, 2.5, 0, Math.PI * 2);
    context.arc(12, 11, 2.5, 0, Math.PI * 2);
    context.fill();
  }
  patternTiles.set(key, canvas);
  return canvas;
}

/** How a subject's body is painted: its colour, material and surface attributes. */
export interface Paint {
  /** The base colour the recipe shades for secondary parts. */
  base: Rgb;
  /** 0..1; glass and crystal are see-through. */
  alpha: number;
  material?: string;
  /** Surface pattern from attributes: `striped`, `spotted`. */
  pattern?: string;
  /** Whether to draw a soft glow around the body. */
  glowing: boolean;
  /** Whether the prompt chose the colour (by colour or material) rather than the object's default. */
  chosenColour: boolean;
}

/** Builds the paint of a subject from its colour (or the object's default), material and attributes. */
export function subjectPaint(
  defaultColour: Rgb,
  colour: Rgb | undefined,
  material: string | undefined,
  attributes: readonly string[],
): Paint {
  const materialColour = material ? MATERIAL_COLOURS[material] : undefined;
  // a material always shows: it gives its colour to an uncoloured object and tints a coloured one
  let base = colour && materialColour ? mix(colour, materialColour, 0.45) : (colour ?? materialColour ?? defaultColour);
  if (attributes.includes('old')) base = shade(mix(base, [128, 120, 105], 0.35), 0.8);
  const paint: Paint = {
    base,
    alpha: material === 'glass' ? 0.55 : material === 'crystal' ? 0.7 : 1,
    glowing: attributes.includes('glowing'),
    chosenColour: colour !== undefined || materialColour !== undefined,
  };
  if (material) paint.material = material;
  const pattern = attributes.find((attribute) => attribute === 'striped' || attribute === 'spotted');
  if (pattern) paint.pattern = pattern;
  return paint;
}

/**
 * The fill of a body in the box (x, y, width, height) of the current (unit) coordinate space, with the paint's
 * material texture or sheen; `pixelsPerUnit` keeps texture tiles at their pixel size.
 */
export function bodyFill(
  context: SKRSContext2D,
  paint: Paint,
  box: { x: number; y: number; width: number; height: number },
  pixelsPerUnit: number,
): FillStyle {
  const { x, y, width, height } = box;
  const texture =
    paint.pattern ??
    (['wooden', 'stone', 'marble', 'ceramic', 'paper'].includes(paint.material ?? '') ? paint.material : undefined);
  if (texture) {
    const pattern = context.createPattern(tile(texture, paint.base), 'repeat');
    if (pattern) {
      pattern.setTransform({ a: 1 / pixelsPerUnit, d: 1 / pixelsPerUnit });
      return pattern;
    }
  }
  if (
    paint.material &&
    ['golden', 'silver', 'metal', 'bronze', 'plastic', 'glass', 'crystal'].includes(paint.material)
  ) {
    const gradient = context.createLinearGradient(x, y, x + width * 0.6, y + height);
    gradient.addColorStop(0, css(shade(paint.base, 1.55), paint.alpha));
    gradient.addColorStop(0.45, css(paint.base, paint.alpha));
    gradient.addColorStop(1, css(shade(paint.base, 0.6), paint.alpha));
    return gradient;
  }
  return css(paint.base, paint.alpha);
}
