import { describe, expect, test } from '@jest/globals';
import { AuthModuleOptionsError, resolveAuthOptions } from './auth-options.validation.js';

const secret = 's'.repeat(32);

describe('resolveAuthOptions', () => {
  test('applies the documented defaults', () => {
    expect(resolveAuthOptions({ inMemoryStore: true, sessionKeySecret: secret }, false)).toMatchObject({
      keyPrefix: 'wxauth:',
      idleTtlSeconds: 7 * 86_400,
      touchIntervalSeconds: 3600,
      absoluteTtlSeconds: 30 * 86_400,
      loginReplayWindowSeconds: 30,
      maxSessionsPerUser: 10,
    });
  });

  test('lists every problem at once', () => {
    let error: unknown;
    try {
      resolveAuthOptions(
        {
          sessionKeySecret: 'short',
          idleTtlSeconds: 10,
          touchIntervalSeconds: 20,
          loginReplayWindowSeconds: 60,
          maxSessionsPerUser: 0,
        },
        true,
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AuthModuleOptionsError);
    const problems = (error as AuthModuleOptionsError).problems.join('\n');
    expect(problems).toMatch(/no session store/);
    expect(problems).toMatch(/sessionKeySecret/);
    expect(problems).toMatch(/touchIntervalSeconds/);
    expect(problems).toMatch(/loginReplayWindowSeconds/);
    expect(problems).toMatch(/maxSessionsPerUser/);
    expect(problems).toMatch(/login route needs `wechat`/);
    expect(problems).toMatch(/login route needs `users`/);
  });

  test('`events` must be a listener with onAuthEvent', () => {
    const base = { inMemoryStore: true, sessionKeySecret: secret };
    expect(() => resolveAuthOptions({ ...base, events: {} as never }, false)).toThrow(/`events` must be/);
    const events = { onAuthEvent: () => undefined };
    expect(resolveAuthOptions({ ...base, events }, false).source.events).toBe(events);
  });
});
