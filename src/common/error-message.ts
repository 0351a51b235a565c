/**
 * The message of anything thrown, for log lines. Duck-typed rather than `instanceof Error`: errors
 * from another realm (a driver's, or under jest's VM contexts) are not instances of this realm's Error.
 */
export function errorMessage(error: unknown): string {
  if (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string'
  ) {
    const { code, message } = error as { code?: unknown; message: string };
    return typeof code === 'string' && !message.includes(code)
      ? `${code}: ${message}`
      : message || String(code ?? 'error');
  }
  return typeof error === 'string' ? error : 'unknown error';
}
