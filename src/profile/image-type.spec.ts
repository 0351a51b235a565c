import { describe, expect, test } from '@jest/globals';
import { detectImageType } from './image-type.js';

describe('detectImageType', () => {
  test('recognises PNG, JPEG and WebP by their first bytes', () => {
    expect(detectImageType(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'))?.extension).toBe('png');
    expect(detectImageType(Buffer.from('ffd8ffe000104a464946', 'hex'))?.extension).toBe('jpg');
    expect(detectImageType(Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8 ', 'latin1'))?.extension).toBe('webp');
  });

  test('rejects everything else, including near misses and truncated headers', () => {
    expect(detectImageType(Buffer.from('GIF89a......', 'latin1'))).toBeNull();
    expect(detectImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(detectImageType(Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'))).toBeNull();
    expect(detectImageType(Buffer.from('89504e47', 'hex'))).toBeNull();
    expect(detectImageType(Buffer.alloc(0))).toBeNull();
  });
});
