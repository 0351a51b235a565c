import { describe, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { DEFAULT_SIMULATOR_APP } from '../wechat-simulator/wechat-simulator.options.js';
import { SIMULATOR_PUBLISHED_SECRET, sessionSecretWeakness, validateEnv } from './env.validation.js';
import { problemsOf, VALID_PRODUCTION_ENV } from '../../test/support/env-problems.js';

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
    const production = VALID_PRODUCTION_ENV;
    expect(problemsOf(production)).toEqual([]);
    expect(problemsOf({ ...production, WECHAT_SECRET: 'changeme' })).toEqual([
      'WECHAT_SECRET holds a placeholder value',
    ]);
  });

  test('empty strings count as unset, and appids need one secret each', () => {
    expect(problemsOf({ DATABASE_URL: '', PORT: '' })).toEqual([]);
    expect(
      problemsOf({
        NODE_ENV: 'development',
        WECHAT_APPID: 'wx4f4bc4dec97d474b,wx0123456789abcdef',
        WECHAT_SECRET: 'a',
      }),
    ).toEqual(['WECHAT_SECRET must list one secret per WECHAT_APPID (2 appid(s) given)']);
  });
});

describe('safe configuration (issue 15, point 7)', () => {
  const production = VALID_PRODUCTION_ENV;

  test('a partly configured host without NODE_ENV refuses to start and says which NODE_ENV to set', () => {
    const { NODE_ENV: _unset, ...configured } = production;
    const problems = problemsOf({ DATABASE_URL: configured.DATABASE_URL, REDIS_URL: configured.REDIS_URL });
    expect(problems).toEqual([
      expect.stringMatching(/^NODE_ENV is unset but DATABASE_URL, REDIS_URL are set/),
    ]);
    expect(problems[0]).toMatch(/NODE_ENV=production/);
    expect(problems[0]).toMatch(/NODE_ENV=development/);
    expect(problemsOf(configured)).toHaveLength(1);
    expect(problemsOf({ SESSION_KEY_SECRET: production.SESSION_KEY_SECRET })).toEqual([
      expect.stringMatching(/NODE_ENV is unset but SESSION_KEY_SECRET is set/),
    ]);
  });

  test('development fallbacks: nothing configured, or NODE_ENV=development/test said explicitly', () => {
    expect(problemsOf({})).toEqual([]);
    expect(problemsOf({ PORT: '4000', LOG_LEVEL: 'debug', SQLITE_PATH: '/tmp/x.sqlite' })).toEqual([]);
    const partial = { DATABASE_URL: production.DATABASE_URL, REDIS_URL: production.REDIS_URL };
    expect(problemsOf({ ...partial, NODE_ENV: 'development' })).toEqual([]);
    // test/support/test-app.ts sets NODE_ENV=test: like development, but explicit.
    expect(problemsOf({ ...partial, NODE_ENV: 'test' })).toEqual([]);
  });

  test('production refuses plain http to WeChat unless the address is loopback', () => {
    expect(problemsOf({ ...production, WECHAT_API_BASE_URL: 'http://wechat-proxy.internal:8080' })).toEqual([
      expect.stringMatching(/^WECHAT_API_BASE_URL must use https in production/),
    ]);
    expect(problemsOf({ ...production, WECHAT_API_BASE_URL: 'http://203.0.113.7' })).toHaveLength(1);
    // Not loopback, although it starts with 127 or contains "localhost".
    expect(problemsOf({ ...production, WECHAT_API_BASE_URL: 'http://127.0.0.1.nip.io' })).toHaveLength(1);
    expect(problemsOf({ ...production, WECHAT_API_BASE_URL: 'http://localhost.evil.example' })).toHaveLength(
      1,
    );
    for (const url of [
      'https://api.weixin.qq.com',
      'https://egress.internal:8443/wx',
      'http://127.0.0.1:3001',
      'http://127.1.2.3',
      'http://localhost:3001',
      'http://[::1]:3001',
    ]) {
      expect(problemsOf({ ...production, WECHAT_API_BASE_URL: url })).toEqual([]);
    }
    // Outside production an http simulator anywhere is fine.
    expect(problemsOf({ NODE_ENV: 'development', WECHAT_API_BASE_URL: 'http://sim.lan:3001' })).toEqual([]);
  });

  test("production refuses the simulator's published secret, which is the simulator's own", () => {
    expect(SIMULATOR_PUBLISHED_SECRET).toBe(DEFAULT_SIMULATOR_APP.secret);
    expect(problemsOf({ ...production, WECHAT_SECRET: SIMULATOR_PUBLISHED_SECRET })).toEqual([
      "WECHAT_SECRET is the WeChat simulator's published secret (see the README), not a real AppSecret",
    ]);
    expect(
      problemsOf({
        ...production,
        WECHAT_APPID: 'wx4f4bc4dec97d474b,wx0123456789abcdef',
        WECHAT_SECRET: `${production.WECHAT_SECRET},${SIMULATOR_PUBLISHED_SECRET}`,
      }),
    ).toHaveLength(1);
    const simulatorApp = { WECHAT_APPID: 'wx0123456789abcdef', WECHAT_SECRET: SIMULATOR_PUBLISHED_SECRET };
    expect(problemsOf({ NODE_ENV: 'test', ...simulatorApp })).toEqual([]);
  });

  test('production refuses a SESSION_KEY_SECRET that is not random-looking, and says why', () => {
    const refused = (secret: string) => problemsOf({ ...production, SESSION_KEY_SECRET: secret });
    expect(refused('a'.repeat(32))).toEqual([
      expect.stringMatching(/^SESSION_KEY_SECRET does not look random/),
    ]);
    expect(refused('abcabcabcabcabcabcabcabcabcabcabcabc')[0]).toMatch(/fewer than 10 distinct/);
    expect(refused('0123456789abcdef0123456789abcdef')[0]).toMatch(/repeats one shorter pattern/);
    expect(refused('abcdefghijklmnopqrstuvwxyz012345')[0]).toMatch(/8 identical or consecutive characters/);
    expect(refused('Qm7vX2kP9zTt87654321rL4wJ6nB3yHd')[0]).toMatch(/8 identical or consecutive characters/);
    expect(refused('Qm7vX2kP9zTtaaaaaaaarL4wJ6nB3yHd')[0]).toMatch(/8 identical or consecutive characters/);
    expect(refused('short')).toEqual(['SESSION_KEY_SECRET must be at least 32 characters']);
    // The rule only applies in production: development may use anything of 32+ characters.
    expect(problemsOf({ NODE_ENV: 'development', SESSION_KEY_SECRET: 'a'.repeat(32) })).toEqual([]);
  });

  test('production builds avatar URLs from PUBLIC_BASE_URL: required while uploads are on, https or loopback', () => {
    const { PUBLIC_BASE_URL: _unset, ...withoutBase } = production;
    expect(problemsOf(withoutBase)).toEqual([
      expect.stringMatching(/^PUBLIC_BASE_URL is required in production while avatar uploads are enabled/),
    ]);
    expect(problemsOf(withoutBase)[0]).toMatch(/never from the Host header/);
    expect(problemsOf(withoutBase)[0]).toMatch(/AVATAR_UPLOADS_ENABLED=false/);
    expect(problemsOf({ ...withoutBase, AVATAR_UPLOADS_ENABLED: 'false' })).toEqual([]);
    expect(problemsOf({ ...production, PUBLIC_BASE_URL: 'http://api.example.com' })).toEqual([
      expect.stringMatching(/^PUBLIC_BASE_URL must use https in production/),
    ]);
    expect(problemsOf({ ...production, PUBLIC_BASE_URL: 'http://127.0.0.1:3000' })).toEqual([]);
    // Development and tests may leave it unset: URLs then come from each upload's Host (any port).
    expect(problemsOf({ NODE_ENV: 'test' })).toEqual([]);
  });

  test('avatar policy numbers are validated settings', () => {
    expect(problemsOf({ AVATAR_SIZE: '32' })[0]).toMatch(/AVATAR_SIZE/);
    expect(problemsOf({ AVATAR_SIZE: '2048' })[0]).toMatch(/AVATAR_SIZE/);
    expect(problemsOf({ AVATAR_MAX_DIMENSION: '100000' })[0]).toMatch(/AVATAR_MAX_DIMENSION/);
    expect(problemsOf({ AVATAR_MIN_FREE_MB: '-1' })[0]).toMatch(/AVATAR_MIN_FREE_MB/);
    expect(problemsOf({ RATE_LIMIT_AVATAR_UPLOADS_PER_USER_PER_HOUR: '0' })[0]).toMatch(
      /RATE_LIMIT_AVATAR_UPLOADS_PER_USER_PER_HOUR/,
    );
    expect(problemsOf({ AVATAR_SIZE: '128', AVATAR_MAX_DIMENSION: '4096', AVATAR_MIN_FREE_MB: '0' })).toEqual(
      [],
    );
  });

  test('random secrets always pass the random-looking rule', () => {
    for (let i = 0; i < 2000; i++) {
      expect(sessionSecretWeakness(randomBytes(32).toString('base64url'))).toBeNull();
      expect(sessionSecretWeakness(randomBytes(32).toString('base64'))).toBeNull();
      expect(sessionSecretWeakness(randomBytes(32).toString('hex'))).toBeNull();
    }
    // The e2e stacks' secret (test/support/test-stack.ts) runs in production mode too.
    expect(sessionSecretWeakness('test-only-session-key-secret-7Qx2Lm9Vp4')).toBeNull();
  });
});
