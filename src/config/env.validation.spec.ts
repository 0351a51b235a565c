import { describe, expect, test } from '@jest/globals';
import { InvalidEnvironmentError, validateEnv } from './env.validation.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    validateEnv(env);
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) return error.problems;
    throw error;
  }
  return [];
}

describe('validateEnv', () => {
  test('an empty environment is a valid development setup', () => {
    expect(problemsOf({})).toEqual([]);
  });

  test('reports every bad value at once, one line per variable', () => {
    const problems = problemsOf({
      PORT: 'abc',
      DATABASE_URL: 'postgres://x/y',
      REDIS_URL: 'localhost:6379',
      WECHAT_APPID: 'not-an-appid',
      DB_MIGRATIONS_RUN: 'maybe',
    });
    expect(problems.length).toBeGreaterThanOrEqual(5);
    expect(problems.join('\n')).toMatch(/PORT/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL/);
    expect(problems.join('\n')).toMatch(/REDIS_URL/);
    expect(problems.join('\n')).toMatch(/WECHAT_APPID/);
    expect(problems.join('\n')).toMatch(/DB_MIGRATIONS_RUN/);
  });

  test('boolean switches accept the usual words and nothing else', () => {
    expect(validateEnv({ DB_MIGRATIONS_RUN: 'false' }).DB_MIGRATIONS_RUN).toBe(false);
    expect(validateEnv({ DB_MIGRATIONS_RUN: 'ON' }).DB_MIGRATIONS_RUN).toBe(true);
    expect(problemsOf({ DB_MIGRATIONS_RUN: 'maybe' })).toEqual(['DB_MIGRATIONS_RUN must be a boolean value']);
  });

  test('the thrown message lists each problem on its own line', () => {
    expect(() => validateEnv({ PORT: '70000', NODE_ENV: 'staging' })).toThrow(
      /Invalid environment[\s\S]*\n {2}- .*NODE_ENV[\s\S]*\n {2}- .*PORT|Invalid environment[\s\S]*\n {2}- .*PORT[\s\S]*\n {2}- .*NODE_ENV/,
    );
  });

  test('production refuses every development fallback, naming the missing variables', () => {
    const message = problemsOf({ NODE_ENV: 'production' }).join('\n');
    expect(message).toMatch(/DATABASE_URL is required/);
    expect(message).toMatch(/REDIS_URL is required/);
    expect(message).toMatch(/WECHAT_APPID and WECHAT_SECRET are required/);
    expect(message).toMatch(/SESSION_KEY_SECRET is required/);
  });

  test('production with everything set passes, but not with a placeholder secret', () => {
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'mysql://app:pw@db:3306/weapp',
      REDIS_URL: 'redis://cache:6379',
      WECHAT_APPID: 'wx4f4bc4dec97d474b',
      WECHAT_SECRET: '0123456789abcdef0123456789abcdef',
      SESSION_KEY_SECRET: 'x9QmJ2vR7tL4pW8zN3bK6hF1sD5gA0cE',
    };
    expect(problemsOf(production)).toEqual([]);
    expect(problemsOf({ ...production, WECHAT_SECRET: 'changeme' })).toEqual([
      'WECHAT_SECRET holds a placeholder value',
    ]);
  });

  test('empty strings count as unset, and appids need one secret each', () => {
    expect(problemsOf({ DATABASE_URL: '', PORT: '' })).toEqual([]);
    expect(problemsOf({ WECHAT_APPID: 'wx4f4bc4dec97d474b,wx0123456789abcdef', WECHAT_SECRET: 'a' })).toEqual(
      ['WECHAT_SECRET must list one secret per WECHAT_APPID (2 appid(s) given)'],
    );
  });
});
