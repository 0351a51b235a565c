import { codePointLength } from './nickname.js';

/**
 * Rules for the free-text region fields WeChat's userInfo carries (`province`, `city`, `country`,
 * `language`), shared by validation and the column definitions.
 *
 * Bounds are in Unicode code points, as MySQL's utf8mb4 VARCHAR(n) counts them, so a value that passes
 * here always fits its column byte-exact (4-byte emoji included).
 */
export const REGION_MAX_CODE_POINTS = 64;
/** WeChat sends `zh_CN`, `zh_TW`, `en`; 16 leaves room for longer BCP 47 tags. */
export const LANGUAGE_MAX_CODE_POINTS = 16;

/** C0/C1 control characters and DEL, as for nicknames. */
const CONTROL_CHARACTERS = /\p{Cc}/u;

export type ProfileTextProblem = 'malformed' | 'control_character' | 'too_long';

/**
 * What is wrong with an already-trimmed profile text field, or null when the column can store it.
 * The empty string passes: for these fields it is WeChat's anonymous placeholder, skipped by the caller.
 */
export function profileTextProblem(value: string, maxCodePoints: number): ProfileTextProblem | null {
  // A lone surrogate cannot be encoded as UTF-8; MySQL would reject it with error 1366.
  if (!value.isWellFormed()) return 'malformed';
  if (CONTROL_CHARACTERS.test(value)) return 'control_character';
  if (codePointLength(value) > maxCodePoints) return 'too_long';
  return null;
}
