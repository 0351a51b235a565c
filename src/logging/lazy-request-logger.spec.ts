import { describe, expect, jest, test } from '@jest/globals';
import { captureLogLines } from '../../test/support/log-capture.js';
import { createRootLogger } from './root-logger.js';
import { lazyChildLogger } from './lazy-request-logger.js';

describe('lazyChildLogger', () => {
  test('builds no pino child until the request logs, then logs with the request id and redaction', () => {
    const out = captureLogLines();
    const root = createRootLogger('info', out.stream);
    const childSpy = jest.spyOn(root, 'child');
    const log = lazyChildLogger.call(null as never, root as never, { requestId: 'req-1' }, {}, {} as never);
    expect(childSpy).not.toHaveBeenCalled();

    log.warn({ authorization: 'Bearer canary-token' }, 'upstream slow');
    log.info('second line');
    expect(childSpy).toHaveBeenCalledTimes(1);
    expect(out.lines()).toEqual([
      expect.objectContaining({
        level: 40,
        requestId: 'req-1',
        authorization: '[redacted]',
        msg: 'upstream slow',
      }),
      expect.objectContaining({ level: 30, requestId: 'req-1', msg: 'second line' }),
    ]);
  });

  test('honours a per-route level and reports the level it logs at', () => {
    const out = captureLogLines();
    const root = createRootLogger('info', out.stream);
    const log = lazyChildLogger.call(
      null as never,
      root as never,
      { requestId: 'req-2' },
      { level: 'error' },
      {} as never,
    );
    expect(log.level).toBe('error');
    log.warn('dropped');
    log.error('kept');
    expect(out.lines().map((line) => line.msg)).toEqual(['kept']);
  });
});
