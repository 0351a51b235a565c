import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { NICKNAME_MAX_CODE_POINTS, nicknameProblem, type NicknameProblem } from '../user/nickname.js';

const MESSAGES: Record<NicknameProblem, string> = {
  empty: 'nickname must not be empty',
  too_long: `nickname must be at most ${NICKNAME_MAX_CODE_POINTS} characters (Unicode code points)`,
  control_character: 'nickname must not contain control characters',
  malformed: 'nickname must be well-formed Unicode (no lone surrogates)',
  padding: 'nickname must not contain stray variation selectors (U+FE00–U+FE0F)',
};

/**
 * A nickname the `users.nickname` column stores byte-exact: see `nicknameProblem` (code points counted as
 * utf8mb4 VARCHAR counts them, no control characters, no lone surrogates, no variation-selector padding).
 * Apply after a trimming `@Transform`.
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
