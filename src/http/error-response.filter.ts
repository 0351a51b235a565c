import {
  Catch,
  HttpException,
  Logger,
  NotFoundException,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { applyErrorHeaders, type ErrorResponseBody } from '../common/api.exception.js';
import {
  ERROR_CATALOGUE,
  isErrorCode,
  STATUS_FALLBACK_CODES,
  type ErrorCode,
} from '../common/error-catalogue.js';
import { setResponseErrorCode } from './response-error-code.js';
import type { RouteMethods } from './route-methods.js';

/** The code of an error that carries none of ours (framework, Fastify), by status; from the catalogue. */
const CODE_BY_STATUS: Readonly<Record<number, ErrorCode>> = Object.fromEntries(
  STATUS_FALLBACK_CODES.map((code) => [ERROR_CATALOGUE[code].status, code]),
);

const codeForStatus = (status: number): string => CODE_BY_STATUS[status] ?? `HTTP_${status}`;

interface HttpRequest {
  id?: string;
  method: string;
  url: string;
  /** Fastify's request logger: its lines carry the request id. */
  log?: { error(message: string): void };
}

interface HttpReply {
  status(code: number): HttpReply;
  header(name: string, value: string): HttpReply;
  send(body: unknown): void;
}

/**
 * Renders every error the same way. HTTP exceptions keep their status (and our `code` when they
 * carry one); Fastify's client errors (bad JSON, too large, wrong media type) keep theirs; a known
 * path hit with the wrong method is 405 with `Allow`. Anything else is a bug: logged in full, answered
 * with a bare 500 so no stack, SQL or upstream text reaches the client.
 */
@Catch()
export class ErrorResponseFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  private readonly reported = new Set<string>();

  /**
   * @param checkCodes warn (once per code) about a code missing from the catalogue or sent with another
   *   status than the catalogue's: a development aid, off in production.
   */
  constructor(
    private readonly routes?: RouteMethods,
    private readonly checkCodes = process.env.NODE_ENV !== 'production',
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    const reply = http.getResponse<HttpReply>();
    const body: ErrorResponseBody = { ...this.toBody(exception, request, reply), requestId: request.id };
    if (this.checkCodes) this.check(body);
    setResponseErrorCode(request, body.code);
    applyErrorHeaders(reply, exception);
    reply.status(body.statusCode).send(body);
  }

  private toBody(exception: unknown, request: HttpRequest, reply: HttpReply): ErrorResponseBody {
    if (exception instanceof NotFoundException && this.routes) {
      const allowed = this.routes.allowed(request.url.split('?')[0]);
      if (allowed.length > 0) {
        reply.header('Allow', allowed.join(', '));
        return {
          statusCode: ERROR_CATALOGUE.METHOD_NOT_ALLOWED.status,
          code: 'METHOD_NOT_ALLOWED',
          message: `${request.method} is not allowed here`,
        };
      }
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'object' && response !== null && 'code' in response) {
        const { code, message, failing, conflict } = response as ErrorResponseBody;
        if (Array.isArray(failing)) return { statusCode, code, message, failing };
        return conflict === undefined
          ? { statusCode, code, message }
          : { statusCode, code, message, conflict };
      }
      const message =
        typeof response === 'string'
          ? response
          : String((response as { message?: unknown }).message ?? exception.message);
      return { statusCode, code: codeForStatus(statusCode), message };
    }
    // Fastify's client errors (FST_ERR_CTP_*: bad JSON, too large, wrong media type). Nest's adapter
    // already turns them into HttpExceptions; this keeps the same answer if one arrives unwrapped.
    const fastifyError = exception as { code?: string; statusCode?: number; message?: string };
    if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode < 500 && fastifyError.code) {
      const statusCode = fastifyError.statusCode;
      return {
        statusCode,
        code: codeForStatus(statusCode),
        message: String(fastifyError.message ?? 'Bad request'),
      };
    }
    // The stack only, not the error object: a driver error's own fields can quote SQL parameters.
    const detail = exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
    (request.log ?? this.logger).error(detail);
    return {
      statusCode: ERROR_CATALOGUE.INTERNAL_ERROR.status,
      code: 'INTERNAL_ERROR',
      message: 'Internal server error',
    };
  }

  private check({ statusCode, code }: ErrorResponseBody): void {
    const expected = isErrorCode(code) ? ERROR_CATALOGUE[code].status : undefined;
    if (expected === statusCode || this.reported.has(code)) return;
    this.reported.add(code);
    this.logger.warn(
      expected === undefined
        ? `error code ${code} (status ${statusCode}) is not in ERROR_CATALOGUE (src/common/error-catalogue.ts)`
        : `error code ${code} sent with status ${statusCode}; ERROR_CATALOGUE says ${expected}`,
    );
  }
}
