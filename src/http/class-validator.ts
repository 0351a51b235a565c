import { createRequire } from 'node:module';
import type * as ClassValidator from 'class-validator';

// class-validator's decorators and validation, loaded one module each. Its index also loads every
// other decorator, with the whole of validator.js and libphonenumber-js (320 modules, ~3.5 MB of heap
// for the life of the process), for the fifteen this app uses. Import them from here, never from
// 'class-validator' itself (eslint.config.js enforces it; type-only imports are fine).
//
// The paths are class-validator's CommonJS build (0.15.x); one that moved fails at start-up, and
// every DTO test with it. The decorators register into the same global metadata storage as the
// index's, and validation goes through the same container, so both stay interchangeable.

const load = createRequire(import.meta.url);

function from<Name extends keyof typeof ClassValidator>(
  path: string,
  name: Name,
): (typeof ClassValidator)[Name] {
  const exported = (load(`class-validator/cjs/${path}.js`) as Record<string, unknown>)[name];
  if (exported === undefined) throw new Error(`class-validator/cjs/${path}.js has no ${name}`);
  return exported as (typeof ClassValidator)[Name];
}

export const IsBoolean = from('decorator/typechecker/IsBoolean', 'IsBoolean');
export const IsDateString = from('decorator/string/IsDateString', 'IsDateString');
export const IsIn = from('decorator/common/IsIn', 'IsIn');
export const IsInt = from('decorator/typechecker/IsInt', 'IsInt');
export const IsNotEmpty = from('decorator/common/IsNotEmpty', 'IsNotEmpty');
export const IsOptional = from('decorator/common/IsOptional', 'IsOptional');
export const IsString = from('decorator/typechecker/IsString', 'IsString');
export const IsUrl = from('decorator/string/IsUrl', 'IsUrl');
export const Matches = from('decorator/string/Matches', 'Matches');
export const Max = from('decorator/number/Max', 'Max');
export const MaxLength = from('decorator/string/MaxLength', 'MaxLength');
export const Min = from('decorator/number/Min', 'Min');
export const MinLength = from('decorator/string/MinLength', 'MinLength');
export const ValidateIf = from('decorator/common/ValidateIf', 'ValidateIf');
export const registerDecorator = from('register-decorator', 'registerDecorator');

const { Validator } = load('class-validator/cjs/validation/Validator.js') as typeof ClassValidator;
const { getFromContainer } = load('class-validator/cjs/container.js') as typeof ClassValidator;

/** As class-validator's `validateSync(object, options)`. */
export function validateSync(
  object: object,
  options?: ClassValidator.ValidatorOptions,
): ClassValidator.ValidationError[] {
  return getFromContainer(Validator).validateSync(object, options);
}

/** As class-validator's `validate(object, options)`. */
export function validate(
  object: object,
  options?: ClassValidator.ValidatorOptions,
): Promise<ClassValidator.ValidationError[]> {
  return getFromContainer(Validator).validate(object, options);
}

export type {
  ValidationArguments,
  ValidationError,
  ValidationOptions,
  ValidatorOptions,
} from 'class-validator';
