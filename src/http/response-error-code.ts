/** Where the error filter leaves the `code` it answered with, for onResponse hooks (metrics, audit). */
const ERROR_CODE_PROPERTY = Symbol('weapp-auth.errorCode');

export function setResponseErrorCode(request: unknown, code: string): void {
  (request as Record<symbol, string>)[ERROR_CODE_PROPERTY] = code;
}

/**
 * The stable `code` of the error this request was answered with (ErrorResponseFilter), or null for a
 * success or a response that did not pass through the filter.
 */
export function responseErrorCode(request: unknown): string | null {
  return (request as Record<symbol, string | undefined>)[ERROR_CODE_PROPERTY] ?? null;
}
