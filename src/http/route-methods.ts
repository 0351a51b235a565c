import type { FastifyInstance } from 'fastify';

/**
 * Remembers which methods each registered route pattern answers, so an unmatched request can be told
 * 405 (with `Allow`) when its path exists under another method, instead of a misleading 404.
 * Register before the routes are (i.e. before `app.init()`/`listen()`).
 */
export class RouteMethods {
  private readonly routes: { pattern: RegExp; method: string }[] = [];

  register(fastify: FastifyInstance): void {
    fastify.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const pattern = toRegExp(route.url ?? route.path ?? '');
      for (const method of methods) this.routes.push({ pattern, method: method.toUpperCase() });
    });
  }

  /** Methods registered for this concrete path (without query string); empty when the path is unknown. */
  allowed(path: string): string[] {
    const methods = new Set(
      this.routes.filter(({ pattern }) => pattern.test(path)).map(({ method }) => method),
    );
    return [...methods].sort();
  }
}

function toRegExp(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) =>
      segment.startsWith(':')
        ? '[^/]+'
        : segment === '*'
          ? '.*'
          : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${source}/?$`);
}
