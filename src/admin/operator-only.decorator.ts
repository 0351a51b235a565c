import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiBearerAuth } from '../swagger/api-docs.decorators.js';
import { Public } from '../auth/index.js';
import { OperatorGuard } from './operator.guard.js';

/** The OpenAPI security scheme of operator routes (declared in src/swagger/setup-swagger.ts). */
export const OPERATOR_SCHEME = 'operator';

/**
 * An operator route: not a user session's (the global session guard skips it) but an operator
 * credential's (OperatorGuard), documented with its own security scheme.
 */
export const OperatorOnly = () =>
  applyDecorators(Public(), UseGuards(OperatorGuard), ApiBearerAuth(OPERATOR_SCHEME));
