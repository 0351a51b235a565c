import { SetMetadata } from '@nestjs/common';
import { AUTHENTICATED_ROUTE_KEY } from '../auth.constants.js';

/** Security scheme name in the OpenAPI document. @publicApi */
export const BEARER_SCHEME = 'session';

/**
 * Marks a guarded route for the OpenAPI document: `documentAuthApi()` (`weapp-auth/openapi`) gives
 * every marked route the bearer scheme and its 401/503 answers. The guard itself is global (opt out
 * with `@Public()`); this decorator only makes the contract visible.
 * @publicApi
 */
export const Authenticated = () => SetMetadata(AUTHENTICATED_ROUTE_KEY, true);
