/**
 * Nickname rules, shared by validation and the column definition.
 *
 * MySQL's utf8mb4 VARCHAR(n) counts code points, so we count code points too (not UTF-16 units,
 * not grapheme clusters): a string that passes here always fits the column, and one padded with
 * invisible variation selectors (U+FE0F) cannot sneak under a grapheme-based limit and then
 * fail or truncate in the database.
 */
export const NICKNAME_MAX_CODE_POINTS = 32;

export function codePointLength(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/** C0/C1 control characters and DEL. ZWJ (U+200D) is allowed: emoji families need it. */
const CONTROL_CHARACTERS = /\p{Cc}/u;
/** A variation selector at the start or after another one has no character to modify: padding. */
const STRAY_VARIATION_SELECTOR = /(^|[\uFE00-\uFE0F])[\uFE00-\uFE0F]/u;

/**
 * Bidirectional formatting characters: LRE/RLE/PDF/LRO/RLO (U+202A–U+202E), the isolates (U+2066–U+2069),
 * LRM/RLM (U+200E/F) and ALM (U+061C). An RLO turns "Ann\u202Egnp.exe" into "Annexe.png" on screen, and
 * an unclosed override reorders whatever the app prints after the name (Trojan Source, CVE-2021-42574).
 */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u;
/**
 * Tag characters (U+E0000–U+E007F) are invisible and carry hidden ASCII ("ASCII smuggling"). Their one
 * legitimate use is the subdivision flags (🏴 + tag letters/digits + CANCEL TAG, e.g. Scotland), which
 * are removed before looking for any other tag character.
 */
const TAG_CHARACTER = /[\u{E0000}-\u{E007F}]/u;
const FLAG_TAG_SEQUENCE = /\u{1F3F4}[\u{E0030}-\u{E0039}\u{E0061}-\u{E007A}]{1,6}\u{E007F}/gu;
/**
 * Characters that draw nothing on their own: default-ignorable code points (zero-width space/joiners,
 * word joiner, soft hyphen, Hangul fillers, variation selectors…), other format characters, white space,
 * combining marks and the blank braille pattern. A nickname made only of these looks empty.
 */
const INVISIBLE_ONLY = /^[\p{Default_Ignorable_Code_Point}\p{Cf}\p{White_Space}\p{M}\u2800]+$/u;
/** Combining marks allowed on one base character (format characters between them do not reset it). */
export const NICKNAME_MAX_COMBINING_MARKS = 4;
const STACKED_MARKS = new RegExp(
  `\\p{M}(?:[\\p{Cf}\\p{Default_Ignorable_Code_Point}]*\\p{M}){${NICKNAME_MAX_COMBINING_MARKS}}`,
  'u',
);

export type NicknameProblem =
  | 'empty'
  | 'too_long'
  | 'control_character'
  | 'malformed'
  | 'padding'
  | 'invisible'
  | 'bidi_control'
  | 'tag_character'
  | 'combining_marks';

/**
 * The form nicknames are validated and stored in: trimmed, then NFC, so "e" + U+0301 and "é" are one
 * name of one code point.
 */
export function normalizeNickname(value: string): string {
  const trimmed = value.trim();
  // normalize() leaves lone surrogates as they are; nicknameProblem reports them.
  return trimmed.normalize('NFC');
}

/** Returns what is wrong with a nickname in {@link normalizeNickname} form, or null when it is acceptable. */
export function nicknameProblem(nickname: string): NicknameProblem | null {
  // A lone surrogate cannot be encoded as UTF-8; MySQL would reject it with error 1366.
  if (!nickname.isWellFormed()) return 'malformed';
  if (nickname.length === 0) return 'empty';
  if (CONTROL_CHARACTERS.test(nickname)) return 'control_character';
  if (STRAY_VARIATION_SELECTOR.test(nickname)) return 'padding';
  if (codePointLength(nickname) > NICKNAME_MAX_CODE_POINTS) return 'too_long';
  if (BIDI_CONTROL.test(nickname)) return 'bidi_control';
  if (TAG_CHARACTER.test(nickname) && TAG_CHARACTER.test(nickname.replace(FLAG_TAG_SEQUENCE, ''))) {
    return 'tag_character';
  }
  if (INVISIBLE_ONLY.test(nickname)) return 'invisible';
  if (STACKED_MARKS.test(nickname)) return 'combining_marks';
  return null;
}
