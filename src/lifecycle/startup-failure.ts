import { InvalidEnvironmentError } from '../config/env.validation.js';
import { PortInUseError } from './port-in-use.error.js';

/**
 * A dependency the service could not reach or use at start-up (MySQL, Redis), named with its address.
 * The address is host:port only: a connection URL's user and password never reach it.
 */
export class DependencyUnavailableError extends Error {
  override readonly name = 'DependencyUnavailableError';
  readonly #secret: string | undefined;

  constructor(
    readonly dependency: string,
    readonly address: string,
    options: { cause: unknown; secret?: string },
  ) {
    const message = `${dependency} at ${address}: ${driverMessage(options.cause)}`;
    // A driver message has no business quoting the password; should one ever, it does not get out.
    super(redact(message, options.secret), { cause: options.cause });
    this.#secret = options.secret;
  }

  /** `text` (e.g. the cause's stack) with the password, should it appear, replaced. */
  redact(text: string): string {
    return redact(text, this.#secret);
  }

  /** The driver's error code (ER_ACCESS_DENIED_ERROR, ECONNREFUSED, …), when it has one. */
  get code(): string | undefined {
    return errorCode(this.cause);
  }
}

/** A driver's error codes that no retry fixes: fail start-up at once instead of retrying. */
export const PERMANENT_DATABASE_ERRORS: ReadonlySet<string> = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'ER_NOT_SUPPORTED_AUTH_MODE',
  'ENOTFOUND',
]);

/**
 * `host:port` of a connection URL (`mysql://user:pw@db:3306/app` → `db:3306`), for logs: never the
 * user or password. A comma-separated list (Redis Cluster) gives each node. Unparsable: `(unparsable URL)`.
 */
export function urlAddress(url: string, defaultPort: number): string {
  return url
    .split(',')
    .map((part) => {
      try {
        const { hostname, port } = new URL(part.trim());
        return `${hostname}:${port || defaultPort}`;
      } catch {
        return '(unparsable URL)';
      }
    })
    .join(',');
}

/**
 * The one line a failed start-up prints in production: JSON (as the log lines are), naming the cause and,
 * for a dependency, its address; the stack only at LOG_LEVEL=debug or trace.
 */
export function startupFailureLine(error: unknown, options: { stack: boolean }): string {
  const line: Record<string, unknown> = {
    level: 60,
    time: Date.now(),
    service: 'weapp-auth',
    context: 'Bootstrap',
    event: 'startup_failed',
  };
  if (error instanceof InvalidEnvironmentError) {
    Object.assign(line, {
      msg: 'weapp-auth failed to start: invalid environment',
      cause: 'INVALID_ENVIRONMENT',
      problems: error.problems,
    });
  } else if (error instanceof DependencyUnavailableError) {
    Object.assign(line, {
      msg: `weapp-auth failed to start: ${error.message}`,
      cause: error.code ?? 'UNAVAILABLE',
      dependency: error.dependency,
      address: error.address,
    });
  } else if (error instanceof PortInUseError) {
    Object.assign(line, {
      msg: `weapp-auth failed to start: ${error.message}`,
      cause: 'EADDRINUSE',
      dependency: 'listen',
      address: `:${error.port}`,
    });
  } else {
    Object.assign(line, {
      msg: `weapp-auth failed to start: ${driverMessage(error)}`,
      cause: errorCode(error) ?? (error instanceof Error ? error.name : 'UNKNOWN'),
    });
  }
  if (options.stack) {
    const stacks: string[] = [];
    for (let e: unknown = error; e instanceof Error && stacks.length < 5; e = e.cause)
      stacks.push(e.stack ?? e.message);
    const stack = stacks.join('\ncaused by: ');
    line.stack = error instanceof DependencyUnavailableError ? error.redact(stack) : stack;
  }
  // JSON.stringify escapes newlines and control characters: one line, no terminal escapes.
  return JSON.stringify(line) + '\n';
}

function redact(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('[redacted]') : text;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A driver error's own message, or its code when it has none (an AggregateError of ECONNREFUSED on
 * ::1 and 127.0.0.1 has an empty message).
 */
function driverMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = errorCode(error);
  if (!message) return code ?? 'unknown error';
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
