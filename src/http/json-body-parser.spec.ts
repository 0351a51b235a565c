import { describe, expect, test } from '@jest/globals';
import { exceedsJsonDepth, JSON_MAX_DEPTH } from './json-body-parser.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('exceedsJsonDepth', () => {
  test('counts arrays and objects alike, up to and beyond the limit', () => {
    expect(exceedsJsonDepth(bytes(nested(JSON_MAX_DEPTH)), JSON_MAX_DEPTH)).toBe(false);
    expect(exceedsJsonDepth(bytes(nested(JSON_MAX_DEPTH + 1)), JSON_MAX_DEPTH)).toBe(true);
    const objects = `${'{"a":'.repeat(5)}1${'}'.repeat(5)}`;
    expect(exceedsJsonDepth(bytes(objects), 4)).toBe(true);
    expect(exceedsJsonDepth(bytes(objects), 5)).toBe(false);
    expect(exceedsJsonDepth(bytes('[{"a":[{}]}]'), 3)).toBe(true);
  });

  test('siblings do not add up', () => {
    expect(exceedsJsonDepth(bytes(`[${'[],'.repeat(100)}[]]`), 2)).toBe(false);
  });

  test('brackets inside strings, escaped quotes included, do not count', () => {
    expect(exceedsJsonDepth(bytes(JSON.stringify({ a: '[{'.repeat(100) })), 2)).toBe(false);
    expect(exceedsJsonDepth(bytes(JSON.stringify({ a: '\\"[[[[[[' })), 2)).toBe(false);
    expect(exceedsJsonDepth(bytes(JSON.stringify({ a: '小明😀[[[[' })), 2)).toBe(false);
    expect(exceedsJsonDepth(bytes(`["\\\\",${nested(3)}]`), 3)).toBe(true);
  });
});
