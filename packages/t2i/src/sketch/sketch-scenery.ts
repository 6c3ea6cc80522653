import type { Scene } from '@diffchat/world';
import type { SKRSContext2D } from '@napi-rs/canvas';
import { css, mix, type Rgb, shade } from './sketch-paint';

/** Where the ground starts, as a fraction of the image height, by setting; objects stand below it. */
export function horizonOf(background: string | undefined): number {
  switch (background) {
    case undefined:
      return 0.6;
    case 'room':
      return 0.62;
    case 'ocean':
    case 'beach':
      return 0.5;
    case 'space':
      return 0.72;
    case 'underwater':
      return 0.75;
    default:
      return 0.58;
  }
}

const SKY: Readonly<Record<string, readonly [Rgb, Rgb]>> = {
  day: [
    [95, 160, 230],
    [190, 222, 245],
  ],
  dawn: [
    [110, 120, 195],
    [250, 190, 160],
  ],
  morning: [
    [130, 185, 240],
    [225, 235, 240],
  ],
  noon: [
    [60, 150, 240],
    [170, 215, 250],
  ],
  afternoon: [
    [100, 160, 220],
    [225, 215, 190],
  ],
  sunset: [
    [85, 70, 150],
    [250, 145, 60],
  ],
  dusk: [
    [45, 40, 105],
    [190, 105, 140],
  ],
  night: [
    [8, 12, 40],
    [30, 40, 85],
  ],
};

/** The ground colour of a setting before season and weather. */
const GROUND: Readonly<Record<string, Rgb>> = {
  none: [225, 222, 215],
  beach: [235, 210, 150],
  forest: [70, 130, 60],
  city: [130, 130, 135],
  mountains: [95, 150, 75],
  room: [205, 170, 125],
  space: [120, 118, 125],
  desert: [225, 175, 100],
  lake: [90, 160, 80],
  field: [170, 190, 80],
  street: [95, 95, 100],
  garden: [85, 170, 75],
  underwater: [210, 195, 150],
  jungle: [45, 120, 50],
  ocean: [40, 100, 160],
};

const GRASSY = new Set(['forest', 'mountains', 'lake', 'field', 'garden', 'jungle']);

function skyColours(scene: Scene): readonly [Rgb, Rgb] {
  let [top, bottom] = SKY[scene.time ?? 'day']!;
  const grey: Rgb = [150, 155, 165];
  const overcast = { cloudy: 0.5, rain: 0.65, storm: 0.8, fog: 0.55 }[scene.weather ?? ''] ?? 0;
  if (scene.weather === 'clear') {
    top = mix(top, [30, 130, 250], 0.4);
    bottom = mix(bottom, [150, 210, 255], 0.4);
  }
  if (overcast > 0) {
    const darkened = scene.weather === 'storm' ? shade(grey, 0.55) : grey;
    top = mix(top, darkened, overcast);
    bottom = mix(bottom, darkened, overcast);
  }
  return [top, bottom];
}

function groundColour(scene: Scene): Rgb {
  let ground = GROUND[scene.background ?? 'none']!;
  if (GRASSY.has(scene.background ?? '')) {
    if (scene.season === 'autumn') ground = mix(ground, [200, 120, 40], 0.6);
    if (scene.season === 'spring') ground = mix(ground, [150, 220, 110], 0.4);
    if (scene.season === 'summer') ground = mix(ground, [60, 180, 40], 0.35);
  }
  if (
    (scene.season === 'winter' || scene.weather === 'snow') &&
    scene.background !== 'room' &&
    scene.background !== 'underwater'
  ) {
    ground = mix(ground, [240, 245, 250], 0.8);
  }
  return ground;
}

function cloud(context: SKRSContext2D, x: number, y: number, size: number, colour: string): void {
  context.fillStyle = colour;
  context.beginPath();
  context.ellipse(x, y, size, size * 0.45, 0, 0, Math.PI * 2);
  context.ellipse(x - size * 0.5, y + size * 0.1, size * 0.55, size * 0.35, 0, 0, Math.PI * 2);
  context.ellipse(x + size * 0.55, y + size * 0.12, size * 0.5, size * 0.3, 0, 0, Math.PI * 2);
  context.fill();
}

/** Scenery that is drawn before the subjects: sky, sun or moon, clouds, ground and the setting's own features. */
export function drawBackground(
  context: SKRSContext2D,
  width: number,
  height: number,
  scene: Scene,
  random: () => number,
  detail: boolean,
): void {
  const horizon = horizonOf(scene.background) * height;
  const background = scene.background;
  const [skyTop, skyBottom] = skyColours(scene);
  if (background === undefined) {
    const backdrop = context.createLinearGradient(0, 0, 0, height);
    backdrop.addColorStop(0, css(mix([240, 240, 238], skyTop, 0.45)));
    backdrop.addColorStop(1, css(mix([222, 220, 214], skyBottom, 0.45)));
    context.fillStyle = backdrop;
    context.fillRect(0, 0, width, height);
    return;
  }
  const sky = context.createLinearGradient(0, 0, 0, horizon);
  if (background === 'space') {
    sky.addColorStop(0, 'rgb(5,5,20)');
    sky.addColorStop(1, 'rgb(25,20,55)');
  } else if (background === 'underwater') {
    sky.addColorStop(0, css(mix([40, 150, 200], skyTop, 0.2)));
    sky.addColorStop(1, css(mix([10, 60, 120], skyTop, 0.2)));
  } else {
    sky.addColorStop(0, css(skyTop));
    sky.addColorStop(1, css(skyBottom));
  }
  context.fillStyle = sky;
  context.fillRect(0, 0, width, horizon + 1);
  const night = scene.time === 'night' || scene.time === 'dusk' || background === 'space';
  if (night) {
    context.fillStyle = 'rgba(255,255,235,0.9)';
    for (let star = 0; star < (detail ? 70 : 35); star++) {
      context.fillRect(random() * width, random() * horizon * 0.85, 1 + random() * 0.8, 1 + random() * 0.8);
    }
  }
  const hidden = ['cloudy', 'rain', 'storm', 'fog'].includes(scene.weather ?? '') || background === 'underwater';
  if (!hidden && background !== 'room') {
    if (scene.time === 'night') {
      context.fillStyle = 'rgb(245,240,215)';
      context.beginPath();
      context.arc(width * 0.8, height * 0.15, width * 0.05, 0, Math.PI * 2);
      context.fill();
    } else if (background === 'space') {
      context.fillStyle = 'rgb(200,120,80)';
      context.beginPath();
      context.arc(width * 0.78, height * 0.2, width * 0.09, 0, Math.PI * 2);
      context.fill();
    } else {
      const low = scene.time === 'sunset' || scene.time === 'dawn';
      const sunX = width * (low ? 0.3 : 0.82);
      const sunY = low ? horizon - height * 0.04 : height * 0.13;
      const glow = context.createRadialGradient(
        sunX,
        sunY,
        0,
        sunX,
        sunY,
        width * (scene.weather === 'clear' ? 0.3 : 0.16),
      );
      const sunColour: Rgb = low ? [255, 170, 70] : [255, 240, 170];
      glow.addColorStop(0, css(sunColour));
      glow.addColorStop(0.3, css(sunColour, 0.9));
      glow.addColorStop(1, css(sunColour, 0));
      context.fillStyle = glow;
      context.fillRect(0, 0, width, horizon);
    }
  }
  if (background !== 'space' && background !== 'underwater' && background !== 'room' && scene.weather !== 'clear') {
    const clouds = scene.weather === undefined ? 2 : 5;
    const colour =
      scene.weather === 'storm'
        ? 'rgba(70,70,85,0.9)'
        : scene.time === 'night'
          ? 'rgba(90,95,120,0.7)'
          : 'rgba(250,250,252,0.85)';
    for (let index = 0; index < clouds; index++) {
      cloud(
        context,
        (index + 0.2 + random() * 0.6) * (width / clouds),
        height * (0.08 + random() * 0.18),
        width * (0.07 + random() * 0.05),
        colour,
      );
    }
  }
  const ground = groundColour(scene);
  const groundFill = context.createLinearGradient(0, horizon, 0, height);
  groundFill.addColorStop(0, css(shade(ground, 0.85)));
  groundFill.addColorStop(1, css(shade(ground, 1.1)));
  drawSettingFeatures(context, width, height, horizon, scene, random, detail, ground);
  context.fillStyle = groundFill;
  if (background === 'room' || background === 'beach' || background === 'ocean' || background === 'lake') {
    drawSettingForeground(context, width, height, horizon, scene, ground, groundFill);
  } else {
    context.fillRect(0, horizon, width, height - horizon);
  }
  if (detail) {
    context.strokeStyle = css(shade(ground, 0.75), 0.6);
    context.lineWidth = 1;
    for (let blade = 0; blade < 60; blade++) {
      const x = random() * width;
      const y = horizon + (0.1 + random() * 0.9) * (height - horizon);
      context.beginPath();
      context.moveTo(x, y);
      context.lineTo(x + 1.5, y - 3);
      context.stroke();
    }
  }
}

/** The setting's features behind the ground line (skylines, trees, mountains...). */
function drawSettingFeatures(
  context: SKRSContext2D,
  width: number,
  height: number,
  horizon: number,
  scene: Scene,
  random: () => number,
  detail: boolean,
  ground: Rgb,
): void {
  switch (scene.background) {
    case 'forest':
    case 'jungle': {
      const leaves =
        scene.season === 'autumn'
          ? ([190, 100, 40] as Rgb)
          : scene.season === 'winter'
            ? ([210, 220, 225] as Rgb)
            : ([35, 95, 45] as Rgb);
      for (let index = 0; index < 14; index++) {
        const x = (index / 13) * width + (random() - 0.5) * 10;
        const treeHeight = height * (0.22 + random() * 0.12);
        context.fillStyle = css(shade(leaves, 0.8 + random() * 0.3));
        context.beginPath();
        if (scene.background === 'jungle') {
          context.ellipse(x, horizon - treeHeight * 0.6, width * 0.08, treeHeight * 0.5, 0, 0, Math.PI * 2);
        } else {
          context.moveTo(x - width * 0.05, horizon + 2);
          context.lineTo(x, horizon - treeHeight);
          context.lineTo(x + width * 0.05, horizon + 2);
        }
        context.fill();
      }
      break;
    }
    case 'city':
    case 'street':
      for (let x = 0; x < width; ) {
        const blockWidth = width * (0.08 + random() * 0.08);
        const blockHeight = height * (scene.background === 'city' ? 0.2 + random() * 0.3 : 0.12 + random() * 0.12);
        context.fillStyle = css(mix([90, 100, 125], [170, 175, 190], random()));
        context.fillRect(x, horizon - blockHeight, blockWidth - 2, blockHeight + 1);
        context.fillStyle =
          scene.time === 'night' || scene.time === 'dusk' ? 'rgb(255,220,120)' : 'rgba(220,235,250,0.8)';
        for (let y = horizon - blockHeight + 4; y < horizon - 4; y += detail ? 6 : 10) {
          for (let column = x + 3; column < x + blockWidth - 5; column += detail ? 5 : 8)
            context.fillRect(column, y, 2, 3);
        }
        x += blockWidth;
      }
      break;
    case 'mountains':
      for (const [peak, spread, tone] of [
        [0.25, 0.35, 0.75],
        [0.6, 0.4, 0.9],
        [0.9, 0.3, 0.8],
      ] as const) {
        const top = horizon - height * (0.28 + random() * 0.1);
        context.fillStyle = css(shade([110, 115, 140], tone));
        context.beginPath();
        context.moveTo((peak - spread) * width, horizon + 1);
        context.lineTo(peak * width, top);
        context.lineTo((peak + spread) * width, horizon + 1);
        context.fill();
        context.fillStyle = 'rgb(245,248,252)';
        context.beginPath();
        context.moveTo(peak * width - spread * width * 0.22, top + (horizon - top) * 0.22);
        context.lineTo(peak * width, top);
        context.lineTo(peak * width + spread * width * 0.22, top + (horizon - top) * 0.22);
        context.fill();
      }
      break;
    case 'desert':
      context.fillStyle = css(shade(ground, 0.92));
      context.beginPath();
      context.ellipse(width * 0.25, horizon + 4, width * 0.4, height * 0.08, 0, Math.PI, 0);
      context.ellipse(width * 0.8, horizon + 4, width * 0.35, height * 0.06, 0, Math.PI, 0);
      context.fill();
      break;
    case 'lake':
      context.fillStyle = css(shade([120, 125, 150], 0.9));
      context.beginPath();
      context.moveTo(0, horizon + 1);
      context.lineTo(width * 0.2, horizon - height * 0.12);
      context.lineTo(width * 0.45, horizon + 1);
      context.fill();
      break;
    case 'garden':
      context.fillStyle = 'rgb(40,110,50)';
      for (let x = 0; x < width; x += width / 8) {
        context.beginPath();
        context.ellipse(x + width / 16, horizon, width / 14, height * 0.05, 0, Math.PI, 0);
        context.fill();
      }
      break;
    case 'underwater':
      context.fillStyle = 'rgba(200,240,255,0.12)';
      for (let ray = 0; ray < 4; ray++) {
        const x = (ray + 0.3) * (width / 4);
        context.beginPath();
        context.moveTo(x, 0);
        context.lineTo(x + width * 0.08, 0);
        context.lineTo(x - width * 0.05, horizon);
        context.lineTo(x - width * 0.12, horizon);
        context.fill();
      }
      context.fillStyle = 'rgba(220,245,255,0.6)';
      for (let bubble = 0; bubble < 14; bubble++) {
        context.beginPath();
        context.arc(random() * width, random() * horizon, 1 + random() * 2.5, 0, Math.PI * 2);
        context.fill();
      }
      break;
    case 'space':
      context.fillStyle = 'rgba(180,160,255,0.15)';
      context.beginPath();
      context.ellipse(width * 0.35, height * 0.3, width * 0.35, height * 0.08, -0.4, 0, Math.PI * 2);
      context.fill();
      break;
  }
}

/** Settings whose ground is not a plain band: a room's wall and floor, water in front of or instead of land. */
function drawSettingForeground(
  context: SKRSContext2D,
  width: number,
  height: number,
  horizon: number,
  scene: Scene,
  ground: Rgb,
  groundFill: ReturnType<SKRSContext2D['createLinearGradient']>,
): void {
  if (scene.background === 'room') {
    context.fillStyle = 'rgb(232,222,204)';
    context.fillRect(0, 0, width, horizon);
    const [top, bottom] = skyColours(scene);
    const windowFill = context.createLinearGradient(0, height * 0.12, 0, height * 0.42);
    windowFill.addColorStop(0, css(top));
    windowFill.addColorStop(1, css(bottom));
    context.fillStyle = 'rgb(250,248,240)';
    context.fillRect(width * 0.62, height * 0.1, width * 0.26, height * 0.34);
    context.fillStyle = windowFill;
    context.fillRect(width * 0.64, height * 0.12, width * 0.22, height * 0.3);
    context.fillStyle = 'rgb(150,90,60)';
    context.fillRect(width * 0.12, height * 0.15, width * 0.2, height * 0.15);
    context.fillStyle = groundFill;
    context.fillRect(0, horizon, width, height - horizon);
    return;
  }
  const water = context.createLinearGradient(0, horizon, 0, height);
  water.addColorStop(0, css([50, 110, 170]));
  water.addColorStop(1, css([30, 80, 140]));
  if (scene.background === 'lake') {
    context.fillRect(0, horizon, width, height - horizon);
    context.fillStyle = water;
    context.beginPath();
    context.ellipse(width * 0.55, horizon + height * 0.07, width * 0.42, height * 0.06, 0, 0, Math.PI * 2);
    context.fill();
    return;
  }
  context.fillStyle = water;
  if (scene.background === 'ocean') {
    context.fillRect(0, horizon, width, height - horizon);
  } else {
    context.fillRect(0, horizon, width, height * 0.12);
    context.fillStyle = groundFill;
    context.fillRect(0, horizon + height * 0.12, width, height - horizon - height * 0.12);
    context.fillStyle = css(shade(ground, 1.3), 0.8);
    context.fillRect(0, horizon + height * 0.12 - 2, width, 3);
  }
}

/** Time of day, weather and season drawn over the finished scene (tints, rain, snow, fog, lightning, leaves). */
export function drawAtmosphere(
  context: SKRSContext2D,
  width: number,
  height: number,
  scene: Scene,
  random: () => number,
): void {
  const tint = (colour: Rgb, operation: 'multiply' | 'screen') => {
    context.globalCompositeOperation = operation;
    context.fillStyle = css(colour);
    context.fillRect(0, 0, width, height);
    context.globalCompositeOperation = 'source-over';
  };
  switch (scene.time) {
    case 'night':
      tint([75, 85, 150], 'multiply');
      break;
    case 'dusk':
      tint([175, 145, 200], 'multiply');
      break;
    case 'sunset':
      tint([255, 185, 140], 'multiply');
      tint([60, 20, 0], 'screen');
      break;
    case 'dawn':
      tint([250, 210, 215], 'multiply');
      tint([35, 15, 20], 'screen');
      break;
    case 'morning':
      tint([255, 232, 200], 'multiply');
      tint([45, 36, 12], 'screen');
      break;
    case 'noon':
      tint([45, 45, 40], 'screen');
      break;
    case 'afternoon':
      tint([255, 228, 185], 'multiply');
      break;
  }
  switch (scene.weather) {
    case 'rain':
    case 'storm': {
      tint(scene.weather === 'storm' ? [120, 120, 140] : [185, 190, 205], 'multiply');
      context.strokeStyle = 'rgba(210,225,245,0.55)';
      context.lineWidth = 1;
      context.beginPath();
      for (let drop = 0; drop < (scene.weather === 'storm' ? 220 : 140); drop++) {
        const x = random() * (width + 20);
        const y = random() * height;
        context.moveTo(x, y);
        context.lineTo(x - 3, y + 9);
      }
      context.stroke();
      if (scene.weather === 'storm') {
        context.strokeStyle = 'rgb(255,250,200)';
        context.lineWidth = 2;
        context.beginPath();
        let x = width * (0.2 + random() * 0.5);
        context.moveTo(x, 0);
        for (let y = height * 0.08; y < height * 0.5; y += height * 0.08) {
          x += (random() - 0.5) * width * 0.1;
          context.lineTo(x, y);
        }
        context.stroke();
      }
      break;
    }
    case 'snow':
      context.fillStyle = 'rgba(255,255,255,0.9)';
      for (let flake = 0; flake < 160; flake++) {
        context.beginPath();
        context.arc(random() * width, random() * height, 0.8 + random() * 1.4, 0, Math.PI * 2);
        context.fill();
      }
      break;
    case 'fog': {
      const fog = context.createLinearGradient(0, 0, 0, height);
      fog.addColorStop(0, 'rgba(225,228,232,0.35)');
      fog.addColorStop(1, 'rgba(225,228,232,0.7)');
      context.fillStyle = fog;
      context.fillRect(0, 0, width, height);
      break;
    }
    case 'cloudy':
      tint([215, 215, 222], 'multiply');
      break;
    case 'clear':
      tint([36, 36, 26], 'screen');
      break;
  }
  switch (scene.season) {
    case 'autumn':
    case 'spring': {
      const colours =
        scene.season === 'autumn'
          ? ['rgb(215,110,30)', 'rgb(190,60,30)', 'rgb(235,170,40)']
          : ['rgb(250,190,215)', 'rgb(255,235,245)'];
      for (let leaf = 0; leaf < 40; leaf++) {
        context.fillStyle = colours[leaf % colours.length]!;
        context.beginPath();
        context.ellipse(random() * width, random() * height, 2.2, 1.3, random() * Math.PI, 0, Math.PI * 2);
        context.fill();
      }
      break;
    }
    case 'winter':
      tint([225, 235, 255], 'multiply');
      break;
    case 'summer':
      tint([255, 240, 200], 'multiply');
      tint([36, 30, 0], 'screen');
      break;
  }
}
