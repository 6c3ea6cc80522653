import { createCanvas } from '@napi-rs/canvas';
import { crc32 } from '../sketch/png-encoder';

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

/**
 * The first 33 bytes of a PNG (signature and an RGBA IHDR chunk with a correct CRC) that declare any size, with no
 * pixel data: what a server that claims a 2147483647 x 2147483647 image sends.
 */
export function testPngHeader(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(33);
  const view = new DataView(bytes.buffer);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  view.setUint32(8, 13);
  bytes.set([0x49, 0x48, 0x44, 0x52], 12);
  view.setUint32(16, width);
  view.setUint32(20, height);
  // bit depth 8, colour type 6 (RGBA), compression, filter and interlace 0
  bytes.set([8, 6, 0, 0, 0], 24);
  view.setUint32(29, crc32(bytes.subarray(12, 29)));
  return bytes;
}
