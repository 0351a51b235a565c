import type { LoggerService } from '@nestjs/common';
import type { Logger as PinoLogger } from 'pino';

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

const STACK_LINE = /\n\s*at /;

/**
 * Nest's logger interface over the root pino logger: `new Logger(Context).warn(msg)` anywhere in the
 * app becomes one JSON line `{"context":"Context","msg":…}` in the same stream as the request lines.
 *
 * In place of nestjs-pino, which binds each request's logger with AsyncLocalStorage: on Node 20 that
 * puts a hook on every promise (~50 ns each, several µs per guarded request, bench/). Lines about a
 * failed request are tied to it by the error filter's line, which carries the request id.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: PinoLogger) {}

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Nest's convention: the last extra argument is the context; `error(message, stack, context)`. */
  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    let extra = params;
    if (params.length > 0) {
      fields.context = params[params.length - 1];
      extra = params.slice(0, -1);
    }
    if (message instanceof Error) {
      fields.err = message;
      this.logger[level](fields, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ ...fields, ...message });
    } else if (level === 'error' && typeof extra[0] === 'string' && STACK_LINE.test(extra[0])) {
      // Nest's exception handlers pass (message, stack, context).
      fields.err = Object.assign(new Error(String(message)), { stack: extra[0] });
      this.logger.error(fields, String(message));
    } else {
      this.logger[level](fields, String(message), ...extra);
    }
  }
}
