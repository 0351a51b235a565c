import { describe, expect, test } from '@jest/globals';
import { pooledRandomBytes } from './random-pool.js';

describe('pooledRandomBytes', () => {
  test('hands out distinct bytes of the asked length, across pool refills', () => {
    const seen = new Set<string>();
    // 2,000 x 32 bytes: the 4 KiB pool is refilled ~15 times.
    for (let i = 0; i < 2000; i++) {
      const bytes = pooledRandomBytes(32);
      expect(bytes).toHaveLength(32);
      seen.add(bytes.toString('hex'));
    }
    expect(seen.size).toBe(2000);
  });

  test('returns its own copy: later draws never change bytes already handed out', () => {
    const first = pooledRandomBytes(12);
    const copy = Buffer.from(first);
    for (let i = 0; i < 400; i++) pooledRandomBytes(12);
    expect(first).toEqual(copy);
  });

  test('looks random: every byte value turns up, none far more often than the rest', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 4000; i++) for (const byte of pooledRandomBytes(64)) counts[byte]++;
    // 256,000 bytes: 1,000 expected per value; 5 standard deviations is ±~160.
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(Math.max(...counts)).toBeLessThan(1200);
  });

  test('refuses a draw bigger than it is meant for', () => {
    expect(() => pooledRandomBytes(257)).toThrow(RangeError);
  });
});
