import {
  registerDecorator,
  type ValidationArguments,
  type ValidationOptions,
} from '../http/class-validator.js';
import { profileTextProblem, type ProfileTextProblem } from '../user/profile-text.js';

const MESSAGES: Record<ProfileTextProblem, (property: string, max: number) => string> = {
  malformed: (property) => `${property} must be well-formed Unicode (no lone surrogates)`,
  control_character: (property) => `${property} must not contain control characters`,
  too_long: (property, max) => `${property} must be at most ${max} characters (Unicode code points)`,
};

/**
 * A string a `VARCHAR(maxCodePoints)` utf8mb4 column stores byte-exact: well-formed, no control
 * characters, at most `maxCodePoints` code points (see `profileTextProblem`). The empty string passes.
 * Apply after a trimming `@Transform`.
 */
export function IsProfileText(maxCodePoints: number, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isProfileText',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && profileTextProblem(value, maxCodePoints) === null,
        defaultMessage: ({ property, value }: ValidationArguments) => {
          if (typeof value !== 'string') return `${property} must be a string`;
          const problem = profileTextProblem(value, maxCodePoints) ?? 'malformed';
          return MESSAGES[problem](property, maxCodePoints);
        },
      },
    });
}
