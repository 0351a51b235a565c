import type { ArgumentsHost } from '@nestjs/common';
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
});
