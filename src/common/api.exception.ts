import { HttpException } from '@nestjs/common';

/** Body of every error response (the one declaration; Swagger's ErrorResponseDto mirrors it). @publicApi */
export interface ErrorResponseBody {
  statusCode: number;
  /** Stable, machine-readable (see `ERROR_CATALOGUE`); clients branch on this, never on `message`. */
  code: string;
  message: string;
  /** Also sent as X-Request-Id; set by our error filter (absent under Nest's default filter). */
  requestId?: string;
  /** `/health/ready`'s 503 only: the dependencies that did not answer (`database`, `redis`). */
  failing?: string[];
  /** `ACCOUNT_CONFLICT` only: the existing accounts the login points at (AccountConflictError). */
  conflict?: { accounts: unknown[]; mergeable: boolean };
}

/**
 * An HTTP error with a stable `code` and the headers the client needs (WWW-Authenticate,
 * Retry-After). Our own errors are built with `apiError(code)` (error-catalogue.ts), which takes the
 * status from the catalogue. Its body is {@link ErrorResponseBody} even under Nest's default exception filter,
 * so services importing the auth module get the same shape.
 * @publicApi
 */
export class ApiException extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super({ statusCode: status, code, message } satisfies ErrorResponseBody, status);
  }
}

/** Copies an {@link ApiException}'s headers onto the reply (Fastify or Express) before it is thrown on. */
export function applyErrorHeaders(reply: unknown, error: unknown): void {
  if (!(error instanceof ApiException)) return;
  const target = reply as {
    header?: (name: string, value: string) => unknown;
    setHeader?: (name: string, value: string) => unknown;
  };
  for (const [name, value] of Object.entries(error.headers)) {
    if (typeof target.header === 'function') target.header(name, value);
    else target.setHeader?.(name, value);
  }
}
