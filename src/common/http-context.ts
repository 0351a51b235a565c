import type { ArgumentsHost } from '@nestjs/common';

// Nest's `switchToHttp()` assigns three fresh closures to the context on every call (its
// ExecutionContextHost), and a guarded request went through it four or five times (two guards, the
// rate limiter's hook, the parameter decorator). For HTTP the arguments are (request, response, next),
// so these read them directly. Only for contexts already known to be HTTP.

/** The request of an HTTP context, as `switchToHttp().getRequest()` without the allocation. */
export function httpRequestOf<T = unknown>(context: ArgumentsHost): T {
  return context.getArgByIndex<T>(0);
}

/** The response of an HTTP context, as `switchToHttp().getResponse()` without the allocation. */
export function httpResponseOf<T = unknown>(context: ArgumentsHost): T {
  return context.getArgByIndex<T>(1);
}
