import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../dto/error-response.dto.js';

/** Security scheme name in the OpenAPI document. @publicApi */
export const BEARER_SCHEME = 'session';

/**
 * Documents a guarded route: bearer security plus its 401/503 answers. The guard itself is global;
 * this only makes the contract visible in Swagger.
 * @publicApi
 */
export const Authenticated = () =>
  applyDecorators(
    ApiBearerAuth(BEARER_SCHEME),
    ApiResponse({
      status: 401,
      type: ErrorResponseDto,
      description: '`SESSION_INVALID` or `SESSION_EXPIRED`: run wx.login and log in again',
    }),
    ApiResponse({
      status: 503,
      type: ErrorResponseDto,
      description: '`SESSION_STORE_UNAVAILABLE`: retry after `Retry-After` seconds',
    }),
  );
