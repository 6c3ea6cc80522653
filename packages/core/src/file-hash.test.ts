import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256File } from './file-hash';
import { useTemporaryDirectories } from './test-support';

const temporaryDirectory = useTemporaryDirectories();

describe('sha256File', () => {
  it('matches the FIPS 180-2 test vectors', async () => {
    const directory = temporaryDirectory();
    const cases: [string, string][] = [
      ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
      ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
      [
        'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
        '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
      ],
    ];
    for (const [index, [text, digest]] of cases.entries()) {
      const path = join(directory, `${index}.txt`);
      writeFileSync(path, text);
      expect(await sha256File(path)).toBe(digest);
    }
  });

  it('hashes a file larger than one read chunk (one million "a", FIPS 180-2)', async () => {
    const path = join(temporaryDirectory(), 'a.txt');
    writeFileSync(path, 'a'.repeat(1_000_000));
    expect(await sha256File(path)).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });
});
