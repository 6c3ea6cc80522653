import { createCanvas } from '@napi-rs/canvas';

/**
 * A small real PNG whose colours follow from `seed`: a background and a square, so images of different seeds differ
 * and every decoder reads it.
 */
export function testPng(width: number, height: number, seed: number): Uint8Array {
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  const hue = (seed * 137) % 360;
  context.fillStyle = `hsl(${hue}, 60%, 50%)`;
  context.fillRect(0, 0, width, height);
  context.fillStyle = `hsl(${(hue + 180) % 360}, 60%, 50%)`;
  const side = Math.max(1, Math.floor(Math.min(width, height) / 2));
  context.fillRect(Math.floor(width / 4), Math.floor(height / 4), side, side);
  return new Uint8Array(canvas.toBuffer('image/png'));
}
