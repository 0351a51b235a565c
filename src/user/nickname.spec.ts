import { describe, expect, test } from '@jest/globals';
import { codePointLength, nicknameProblem, NICKNAME_MAX_CODE_POINTS, normalizeNickname } from './nickname.js';

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

  test('refuses text that draws nothing: zero-width, format, filler and space characters only', () => {
    for (const invisible of [
      '\u200B',
      '\u200B\u200C\u200D',
      '\u2060\uFEFF',
      '\u00AD',
      '\u3164',
      '\u115F\u1160',
      '\u2800',
      '\u034F',
      '\u200B \u3000\u200B',
    ]) {
      expect({ invisible, problem: nicknameProblem(invisible) }).toEqual({ invisible, problem: 'invisible' });
    }
    expect(nicknameProblem('a\u200B')).toBeNull();
  });

  test('refuses bidi controls', () => {
    for (const control of ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068']) {
      expect(nicknameProblem(`Ann${control}gnp.exe`)).toBe('bidi_control');
    }
    for (const mark of ['\u2069', '\u200E', '\u200F', '\u061C']) {
      expect(nicknameProblem(`Ann${mark}x`)).toBe('bidi_control');
    }
    expect(nicknameProblem('مرحبا')).toBeNull();
    expect(nicknameProblem('שלום')).toBeNull();
  });

  test('refuses tag characters, except in subdivision flag emoji', () => {
    const hidden = [...'ignore'].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');
    expect(nicknameProblem(`Ann${hidden}`)).toBe('tag_character');
    expect(nicknameProblem('Ann\u{E0001}')).toBe('tag_character');
    expect(nicknameProblem('Ann\u{E007F}')).toBe('tag_character');
    const scotland = '\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}';
    expect(nicknameProblem(`Ann${scotland}`)).toBeNull();
    expect(nicknameProblem(`${scotland}${hidden}`)).toBe('tag_character');
  });

  test('bounds combining marks per character, keeping emoji sequences and real scripts', () => {
    expect(nicknameProblem('a' + '\u0301'.repeat(31 - 1))).toBe('combining_marks');
    expect(nicknameProblem('Zalgo' + '\u0300\u0301\u0302\u0303\u0304')).toBe('combining_marks');
    expect(nicknameProblem('a\u0300\u200B\u0301\u200B\u0302\u200B\u0303\u200B\u0304')).toBe(
      'combining_marks',
    );
    expect(nicknameProblem('a\u0300\u0301\u0302\u0303')).toBeNull();
    expect(nicknameProblem('Việt Nam')).toBeNull();
    expect(nicknameProblem('हिन्दी')).toBeNull();
    expect(nicknameProblem('ཀྵྲཱྀ')).toBeNull();
    expect(nicknameProblem('1️⃣#️⃣')).toBeNull();
    expect(nicknameProblem('👩🏽‍💻👨‍👩‍👧‍👦🏳️‍🌈🇨🇳🇯🇵')).toBeNull();
    expect(nicknameProblem('\u0301')).toBe('invisible');
  });

  test('normalizeNickname trims and composes to NFC', () => {
    expect(normalizeNickname('  e\u0301  ')).toBe('\u00E9');
    expect(normalizeNickname('\uAC00')).toBe('\uAC00');
    expect(normalizeNickname('\u1100\u1161')).toBe('\uAC00');
    expect(normalizeNickname('😀👨‍👩‍👧')).toBe('😀👨‍👩‍👧');
    expect(codePointLength(normalizeNickname('e\u0301'.repeat(NICKNAME_MAX_CODE_POINTS)))).toBe(
      NICKNAME_MAX_CODE_POINTS,
    );
  });
});
