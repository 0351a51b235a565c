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

export type NicknameProblem = 'empty' | 'too_long' | 'control_character' | 'malformed' | 'padding';

/** Returns what is wrong with an already-trimmed nickname, or null when it is acceptable. */
export function nicknameProblem(nickname: string): NicknameProblem | null {
  // A lone surrogate cannot be encoded as UTF-8; MySQL would reject it with error 1366.
  if (!nickname.isWellFormed()) return 'malformed';
  if (nickname.length === 0) return 'empty';
  if (CONTROL_CHARACTERS.test(nickname)) return 'control_character';
  if (STRAY_VARIATION_SELECTOR.test(nickname)) return 'padding';
  if (codePointLength(nickname) > NICKNAME_MAX_CODE_POINTS) return 'too_long';
  return null;
}
