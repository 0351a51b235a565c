import { describe, expect, test } from '@jest/globals';
import { captureLogLines } from '../../test/support/log-capture.js';
import { createRootLogger } from './root-logger.js';
import { NestPinoLogger } from './nest-logger.js';

function loggerWithCapture(level = 'debug'): {
  logger: NestPinoLogger;
  lines: () => Record<string, unknown>[];
} {
  const { stream, lines } = captureLogLines();
  return { logger: new NestPinoLogger(createRootLogger(level, stream)), lines };
}

describe('NestPinoLogger', () => {
  test("maps Nest's levels to pino's and the last argument to the context", () => {
    const { logger, lines } = loggerWithCapture();
    logger.log('listening', 'Main');
    logger.warn('slow upstream', 'WechatClient');
    logger.debug('detail');
    logger.verbose('hidden below debug');
    expect(lines()).toEqual([
      expect.objectContaining({ level: 30, context: 'Main', msg: 'listening', service: 'weapp-auth' }),
      expect.objectContaining({ level: 40, context: 'WechatClient', msg: 'slow upstream' }),
      expect.objectContaining({ level: 20, msg: 'detail' }),
    ]);
  });

  test("keeps the stack of Nest's error(message, stack, context) and of Error objects", () => {
    const { logger, lines } = loggerWithCapture();
    logger.error('boom', 'Error: boom\n    at somewhere (file.js:1:1)', 'ExceptionsHandler');
    logger.error(new Error('kaboom'), 'Errors');
    const [fromNest, fromError] = lines() as { err: { stack: string }; msg: string; context: string }[];
    expect(fromNest).toMatchObject({ msg: 'boom', context: 'ExceptionsHandler' });
    expect(fromNest.err.stack).toContain('at somewhere (file.js:1:1)');
    expect(fromError).toMatchObject({ msg: 'kaboom', context: 'Errors' });
    expect(fromError.err.stack).toContain('Error: kaboom');
  });

  test('objects become fields, redacted like every other line', () => {
    const { logger, lines } = loggerWithCapture();
    logger.log({ msg: 'token issued', token: 'canary' }, 'Auth');
    expect(lines()[0]).toMatchObject({ msg: 'token issued', token: '[redacted]', context: 'Auth' });
  });
});
