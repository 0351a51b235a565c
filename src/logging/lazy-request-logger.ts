import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { Bindings, ChildLoggerOptions, Logger } from 'pino';

type LogMethod = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * `request.log` that becomes a real pino child (with the request id) only when something logs
 * through it. Fastify otherwise builds a child for every request, and almost none log anything: the
 * request line is written separately (request-logging.ts).
 */
class LazyRequestLogger {
  private real: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  get level(): string {
    return this.options.level ?? this.parent.level;
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.logger().child(bindings, options);
  }

  fatal(...args: unknown[]): void {
    this.call('fatal', args);
  }

  error(...args: unknown[]): void {
    this.call('error', args);
  }

  warn(...args: unknown[]): void {
    this.call('warn', args);
  }

  info(...args: unknown[]): void {
    this.call('info', args);
  }

  debug(...args: unknown[]): void {
    this.call('debug', args);
  }

  trace(...args: unknown[]): void {
    this.call('trace', args);
  }

  silent(): void {}

  private call(method: LogMethod, args: unknown[]): void {
    (this.logger()[method] as (...a: unknown[]) => void)(...args);
  }

  private logger(): FastifyBaseLogger {
    this.real ??= this.parent.child(this.bindings, this.options) as FastifyBaseLogger;
    return this.real;
  }
}

export const lazyChildLogger: NonNullable<FastifyServerOptions['childLoggerFactory']> = (
  logger,
  bindings,
  options,
) => new LazyRequestLogger(logger as unknown as Logger, bindings, options) as unknown as FastifyBaseLogger;
