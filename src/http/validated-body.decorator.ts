import { Body, Query, ValidationPipe } from '@nestjs/common';
import { validate } from './class-validator.js';
import { validationFailed } from './validation-failed.exception.js';

/** class-validator rules of the DTO, unknown fields refused, the body turned into the DTO class. */
export const BODY_VALIDATION = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: validationFailed,
  // Not Nest's default, class-validator's index, which loads every decorator it has (class-validator.ts).
  validatorPackage: { validate },
});

/**
 * `@Body()` validated against its DTO, 400 `VALIDATION_FAILED` otherwise. Per parameter rather than
 * a global pipe: Nest runs a global pipe on every parameter of every route, `@CurrentUser()` and
 * `@CurrentSession()` included, and that was ~10 % of what a guarded GET allocated (bench/).
 */
export const ValidBody = (): ParameterDecorator => Body(BODY_VALIDATION);

/** `@Query()` validated against its DTO the same way (unknown parameters refused). */
export const ValidQuery = (): ParameterDecorator => Query(BODY_VALIDATION);
