const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Width and height from a PNG's IHDR chunk, or undefined when the bytes do not start like a PNG. Backends use it to
 * report the size they actually rendered, and to reject non-PNG answers.
 */
export function readPngSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  // 8-byte signature, then the IHDR chunk: length (4), type "IHDR" (4), width (4, big-endian), height (4)
  if (bytes.length < 24) return undefined;
  for (let index = 0; index < signature.length; index++) if (bytes[index] !== signature[index]) return undefined;
  if (String.fromCharCode(bytes[12]!, bytes[13]!, bytes[14]!, bytes[15]!) !== 'IHDR') return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
