/**
 * Contact sheet of the embedded sketch renderer: 16 prompts, each drawn plain, beautified, and after an edit
 * instruction applied by the rule-based rewriter, in one PNG grid.
 * Run: pnpm --filter @diffchat/t2i demo [--out ./sketch-demo.png] [--seed 0]
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRng } from '@diffchat/core';
import { beautifyPrompt, rewriteWithInstruction } from '@diffchat/world';
import { createCanvas, Image, type SKRSContext2D } from '@napi-rs/canvas';
import { renderSketch } from '../src/sketch/index';

const EXAMPLES: ReadonlyArray<readonly [prompt: string, instruction: string]> = [
  ['a red fox in a forest', 'make it night'],
  ['a woman on a street', 'add a red scarf'],
  ['a cat in a room', 'turn the cat into a dog'],
  ['a car and a house in a city', 'remove the car'],
  ['a cabin in the mountains', 'let it snow'],
  ['three birds by a lake', 'make it five birds'],
  ['a lighthouse on a beach', 'make it sunset'],
  ['a sailboat on the ocean', 'add a storm'],
  ['an astronaut in space', 'add a rocket'],
  ['two horses in a field', 'make it autumn'],
  ['a castle in the mountains', 'make it a watercolour painting'],
  ['a robot in a city at night', 'make it neon'],
  ['a wooden chair and a lamp in a room', 'make the chair golden'],
  ['a whale underwater', 'add two yellow fish'],
  ['a tree in a garden', 'make it pixel art'],
  ['a hot air balloon over a desert', 'add fog'],
];

function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  if (index < 0) return fallback;
  const value = process.argv[index + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name}: expected a value`);
  return value;
}

const out = resolve(flag('--out', './sketch-demo.png'));
const seed = Number(flag('--seed', '0'));
if (!Number.isSafeInteger(seed)) throw new Error(`--seed: expected an integer, got ${flag('--seed', '0')}`);

const cell = 200;
const captionLines = 5;
const lineHeight = 11;
const gap = 8;
const groupGap = 18;
const groupsPerRow = 4;
const captionHeight = captionLines * lineHeight + 6;
const groupWidth = 3 * cell + 2 * gap;
const rowHeight = 18 + cell + captionHeight;
const sheet = createCanvas(
  groupsPerRow * groupWidth + (groupsPerRow + 1) * groupGap,
  Math.ceil(EXAMPLES.length / groupsPerRow) * (rowHeight + groupGap) + groupGap + 24,
);
const context = sheet.getContext('2d');
context.fillStyle = 'rgb(246,245,242)';
context.fillRect(0, 0, sheet.width, sheet.height);
context.fillStyle = 'rgb(40,40,45)';
context.font = 'bold 14px DejaVu Sans';
context.fillText(
  'sketch renderer (a stand-in for a diffusion model): simple prompt | beautified | beautified + edit instruction',
  groupGap,
  20,
);

function wrap(target: SKRSContext2D, text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line ? `${line} ${word}` : word;
    if (target.measureText(candidate).width > width && line) {
      lines.push(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (line) lines.push(line);
  if (lines.length > captionLines) return [...lines.slice(0, captionLines - 1), `${lines[captionLines - 1]} …`];
  return lines;
}

EXAMPLES.forEach(([prompt, instruction], index) => {
  const rng = createRng(seed).fork(`demo/${index}`);
  const beautiful = beautifyPrompt(prompt, () => rng.next());
  const edited = rewriteWithInstruction(beautiful, instruction);
  const left = groupGap + (index % groupsPerRow) * (groupWidth + groupGap);
  const top = 24 + groupGap + Math.floor(index / groupsPerRow) * (rowHeight + groupGap);
  context.fillStyle = 'rgb(40,40,45)';
  context.font = 'bold 11px DejaVu Sans';
  context.fillText(`${index + 1}. edit: "${instruction}"`, left, top + 11);
  [prompt, beautiful, edited].forEach((text, column) => {
    const sketch = renderSketch(text, { width: cell, height: cell, seed });
    const image = new Image();
    image.src = Buffer.from(sketch.png);
    const x = left + column * (cell + gap);
    context.drawImage(image, x, top + 16);
    context.fillStyle = 'rgb(70,70,75)';
    context.font = '9px DejaVu Sans';
    wrap(context, text, cell).forEach((line, lineIndex) => {
      context.fillText(line, x, top + 16 + cell + 11 + lineIndex * lineHeight);
    });
  });
});

writeFileSync(out, sheet.encodeSync('png'));
console.log(out);
