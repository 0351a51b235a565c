import { describe, expect, test } from '@jest/globals';
import { codePointLength, nicknameProblem, NICKNAME_MAX_CODE_POINTS } from './nickname.js';

describe('nickname rules', () => {
  test('counts code points the way utf8mb4 VARCHAR does', () => {
    expect(codePointLength('😀👨‍👩‍👧𠀀テスト')).toBe(10);
    expect(codePointLength('a\uFE0F')).toBe(2);
  });

  test('accepts emoji, ZWJ sequences and CJK up to the limit', () => {
    expect(nicknameProblem('😀👨‍👩‍👧𠀀テスト')).toBeNull();
    expect(nicknameProblem('❤️')).toBeNull();
    expect(nicknameProblem('字'.repeat(NICKNAME_MAX_CODE_POINTS))).toBeNull();
  });

  test('rejects one code point over the limit, even when the extra one is invisible', () => {
    expect(nicknameProblem('字'.repeat(NICKNAME_MAX_CODE_POINTS + 1))).toBe('too_long');
    expect(nicknameProblem('❤' + '\uFE0F'.repeat(40))).not.toBeNull();
  });

  test('rejects variation-selector padding, control characters and lone surrogates', () => {
    expect(nicknameProblem('a\uFE0F\uFE0F')).toBe('padding');
    expect(nicknameProblem('\uFE0Fabc')).toBe('padding');
    expect(nicknameProblem('bad\u0000name')).toBe('control_character');
    expect(nicknameProblem('tab\tname')).toBe('control_character');
    expect(nicknameProblem('\u0085x')).toBe('control_character');
    expect(nicknameProblem('half\uD83D')).toBe('malformed');
    expect(nicknameProblem('')).toBe('empty');
  });
});
