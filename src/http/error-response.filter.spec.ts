import { describe, expect, test } from '@jest/globals';
import { jest } from '@jest/globals';
import {
  BadRequestException,
  HttpException,
  Logger,
  ServiceUnavailableException,
  type ArgumentsHost,
} from '@nestjs/common';
import { ApiException } from '../common/api.exception.js';
import { apiError } from '../common/error-catalogue.js';
import { ErrorResponseFilter } from './error-response.filter.js';

function hostFor(request: object): { host: ArgumentsHost; sent: () => { status: number; body: unknown } } {
  let status = 0;
  let body: unknown;
  const reply = {
    status(code: number) {
      status = code;
      return reply;
    },
    header() {
      return reply;
    },
    send(payload: unknown) {
      body = payload;
    },
  };
  const host = {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
  } as unknown as ArgumentsHost;
  return { host, sent: () => ({ status, body }) };
}

describe('ErrorResponseFilter', () => {
  test('an unexpected error is a bare 500, logged through the request logger with its stack only', () => {
    const logged: string[] = [];
    const request = {
      id: 'req-9',
      method: 'GET',
      url: '/users/me',
      log: { error: (line: string) => logged.push(line) },
    };
    const { host, sent } = hostFor(request);
    const error = Object.assign(new Error('driver exploded'), { parameters: ['13800138000'] });

    new ErrorResponseFilter().catch(error, host);

    expect(sent()).toEqual({
      status: 500,
      body: { statusCode: 500, code: 'INTERNAL_ERROR', message: 'Internal server error', requestId: 'req-9' },
    });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('Error: driver exploded');
    expect(logged[0]).not.toContain('13800138000');
  });

  const request = { id: 'req-1', method: 'POST', url: '/auth/login' };
  const answer = (exception: unknown, filter = new ErrorResponseFilter(undefined, false)) => {
    const { host, sent } = hostFor(request);
    filter.catch(exception, host);
    return sent();
  };

  test('errors without a code of ours get the catalogue code of their status', () => {
    expect(answer(new BadRequestException('Body is not valid JSON')).body).toMatchObject({
      statusCode: 400,
      code: 'BAD_REQUEST',
    });
    expect(answer(new ServiceUnavailableException({ status: 'error' })).body).toMatchObject({
      statusCode: 503,
      code: 'SERVICE_UNAVAILABLE',
    });
    expect(answer(new HttpException('Gone', 410)).body).toMatchObject({ statusCode: 410, code: 'HTTP_410' });
    const fastifyError = Object.assign(new Error('Request body is too large'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    });
    expect(answer(fastifyError).body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  test('our errors keep their code and message', () => {
    expect(answer(apiError('SESSION_NOT_FOUND', 'You have no session with this id'))).toEqual({
      status: 404,
      body: {
        statusCode: 404,
        code: 'SESSION_NOT_FOUND',
        message: 'You have no session with this id',
        requestId: 'req-1',
      },
    });
  });

  test('with checkCodes, a code outside the catalogue or with another status is reported once', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const filter = new ErrorResponseFilter(undefined, true);
      answer(new ApiException(418, 'TEAPOT', 'short and stout'), filter);
      answer(new ApiException(418, 'TEAPOT', 'short and stout'), filter);
      answer(new ApiException(400, 'RATE_LIMITED', 'wrong status'), filter);
      answer(apiError('RATE_LIMITED'), filter);
      expect(warn.mock.calls.map(([line]) => line)).toEqual([
        expect.stringContaining('TEAPOT (status 418) is not in ERROR_CATALOGUE'),
        expect.stringContaining('RATE_LIMITED sent with status 400; ERROR_CATALOGUE says 429'),
      ]);
      warn.mockClear();
      answer(new ApiException(418, 'TEAPOT', 'short and stout'));
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});
