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
