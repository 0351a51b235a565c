/**
 * The session store did not answer in time (Redis down, failing over, or slow). Mapped to 503,
 * never 401: a 401 would send every client back to wx.login at once.
 * @publicApi
 */
export class SessionStoreUnavailableError extends Error {
  override readonly name = 'SessionStoreUnavailableError';

  constructor(operation: string, options?: { cause?: unknown }) {
    super(`session store unavailable during ${operation}`, options);
  }
}
