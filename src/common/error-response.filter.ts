import {
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  NotFoundException,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { applyErrorHeaders, type ErrorResponseBody } from './api.exception.js';
import type { RouteMethods } from './route-methods.js';

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/** Fastify's own client-error codes (body parsing), mapped to ours. */
const CODE_BY_FASTIFY_CODE: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
};

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

/** Every error response: `{ statusCode, code, message, requestId }`. */
export type ErrorResponse = ErrorResponseBody & { requestId?: string };

/**
 * Renders every error the same way. HTTP exceptions keep their status (and our `code` when they
 * carry one); Fastify's client errors (bad JSON, too large, wrong media type) keep theirs; a known
 * path hit with the wrong method is 405 with `Allow`. Anything else is a bug: logged in full, answered
 * with a bare 500 so no stack, SQL or upstream text reaches the client.
 */
@Catch()
export class ErrorResponseFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly routes?: RouteMethods) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    const reply = http.getResponse<HttpReply>();
    const body = { ...this.toBody(exception, request, reply), requestId: request.id };
    applyErrorHeaders(reply, exception);
    reply.status(body.statusCode).send(body);
  }

  private toBody(exception: unknown, request: HttpRequest, reply: HttpReply): ErrorResponseBody {
    if (exception instanceof NotFoundException && this.routes) {
      const allowed = this.routes.allowed(request.url.split('?')[0]);
      if (allowed.length > 0) {
        reply.header('Allow', allowed.join(', '));
        return {
          statusCode: 405,
          code: 'METHOD_NOT_ALLOWED',
          message: `${request.method} is not allowed here`,
        };
      }
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'object' && response !== null && 'code' in response) {
        const { code, message } = response as ErrorResponseBody;
        return { statusCode, code, message };
      }
      const message =
        typeof response === 'string'
          ? response
          : String((response as { message?: unknown }).message ?? exception.message);
      return { statusCode, code: CODE_BY_STATUS[statusCode] ?? `HTTP_${statusCode}`, message };
    }
    const fastifyError = exception as { code?: string; statusCode?: number; message?: string };
    if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode < 500 && fastifyError.code) {
      const statusCode = fastifyError.statusCode;
      const code = CODE_BY_FASTIFY_CODE[fastifyError.code] ?? CODE_BY_STATUS[statusCode] ?? 'BAD_REQUEST';
      return { statusCode, code, message: String(fastifyError.message ?? 'Bad request') };
    }
    // The stack only, not the error object: a driver error's own fields can quote SQL parameters.
    const detail = exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
    (request.log ?? this.logger).error(detail);
    return {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      code: 'INTERNAL_ERROR',
      message: 'Internal server error',
    };
  }
}
