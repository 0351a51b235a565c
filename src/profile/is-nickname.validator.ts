import {
  registerDecorator,
  type ValidationArguments,
  type ValidationOptions,
} from '../http/class-validator.js';
import {
  NICKNAME_MAX_CODE_POINTS,
  NICKNAME_MAX_COMBINING_MARKS,
  nicknameProblem,
  type NicknameProblem,
} from '../user/nickname.js';

const MESSAGES: Record<NicknameProblem, string> = {
  empty: 'nickname must not be empty',
  too_long: `nickname must be at most ${NICKNAME_MAX_CODE_POINTS} characters (Unicode code points)`,
  control_character: 'nickname must not contain control characters',
  malformed: 'nickname must be well-formed Unicode (no lone surrogates)',
  padding: 'nickname must not contain stray variation selectors (U+FE00–U+FE0F)',
  invisible: 'nickname must contain a visible character (not only zero-width, format or space characters)',
  bidi_control:
    'nickname must not contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C)',
  tag_character: 'nickname must not contain tag characters (U+E0000–U+E007F) outside a flag emoji',
  combining_marks: `nickname must not stack more than ${NICKNAME_MAX_COMBINING_MARKS} combining marks on one character`,
};

/**
 * A nickname the `users.nickname` column stores byte-exact: see `nicknameProblem` (code points counted as
 * utf8mb4 VARCHAR counts them, no control characters, no lone surrogates, no variation-selector padding,
 * something visible, no bidi controls or stray tag characters, at most a few combining marks per character).
 * Apply after a `@Transform` with `normalizeNickname` (trim + NFC).
 */
export function IsNickname(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isNickname',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && nicknameProblem(value) === null,
        defaultMessage: ({ value }: ValidationArguments) =>
          typeof value === 'string'
            ? MESSAGES[nicknameProblem(value) ?? 'empty']
            : 'nickname must be a string',
      },
    });
}

/**
 * WeChat userInfo's `nickName`: a nickname as {@link IsNickname} wants it, or the empty string (part of
 * WeChat's anonymous profile, skipped by the update rather than refused).
 */
export function IsWechatNickName(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isWechatNickName',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && (value === '' || nicknameProblem(value) === null),
        defaultMessage: ({ value }: ValidationArguments) =>
          typeof value === 'string'
            ? MESSAGES[nicknameProblem(value) ?? 'empty'].replace(/^nickname/, 'nickName')
            : 'nickName must be a string',
      },
    });
}
