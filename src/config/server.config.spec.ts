import { describe, expect, test } from '@jest/globals';
import { validateEnv } from './env.validation.js';

describe('HSTS_MAX_AGE', () => {
  test('unset means no HSTS; whole seconds up to two years are accepted', () => {
    expect(validateEnv({}).HSTS_MAX_AGE).toBeUndefined();
    expect(validateEnv({ HSTS_MAX_AGE: '' }).HSTS_MAX_AGE).toBeUndefined();
    expect(validateEnv({ HSTS_MAX_AGE: '31536000' }).HSTS_MAX_AGE).toBe(31_536_000);
    expect(validateEnv({ HSTS_MAX_AGE: '0' }).HSTS_MAX_AGE).toBe(0);
  });

  test.each(['-1', '1y', '1.5', '63072001'])('%s is refused at start-up', (value) => {
    expect(() => validateEnv({ HSTS_MAX_AGE: value })).toThrow(/HSTS_MAX_AGE/);
  });
});

describe('REQUEST_TIMEOUT_MS', () => {
  test('unset is allowed (30 s then); whole milliseconds from 1 s to 10 min are accepted', () => {
    expect(validateEnv({}).REQUEST_TIMEOUT_MS).toBeUndefined();
    expect(validateEnv({ REQUEST_TIMEOUT_MS: '1000' }).REQUEST_TIMEOUT_MS).toBe(1000);
    expect(validateEnv({ REQUEST_TIMEOUT_MS: '600000' }).REQUEST_TIMEOUT_MS).toBe(600_000);
  });

  test.each(['0', '999', '30s', '1500.5', '600001'])('%s is refused at start-up', (value) => {
    expect(() => validateEnv({ REQUEST_TIMEOUT_MS: value })).toThrow(/REQUEST_TIMEOUT_MS/);
  });
});
