import type { ValidationError } from './class-validator.js';
import type { ApiException } from '../common/api.exception.js';
import { apiError } from '../common/error-catalogue.js';

/** 400 `VALIDATION_FAILED` listing every problem, for body validation (ValidBody) and hand-run validation. */
export function validationFailed(errors: ValidationError[]): ApiException {
  const messages = flatten(errors);
  return apiError('VALIDATION_FAILED', messages.join('; ') || 'Invalid request');
}

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {});
    return [...own, ...flatten(error.children ?? [], path)];
  });
}
