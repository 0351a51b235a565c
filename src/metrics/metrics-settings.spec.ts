import { describe, expect, test } from '@jest/globals';
import { validateEnv } from '../config/env.validation.js';
import { problemsOf } from '../../test/support/env-problems.js';

describe('METRICS_ENABLED and METRICS_PORT', () => {
  test('are optional; METRICS_ENABLED takes the usual boolean words', () => {
    expect(problemsOf({})).toEqual([]);
    expect(validateEnv({ METRICS_ENABLED: 'off' }).METRICS_ENABLED).toBe(false);
    expect(validateEnv({ METRICS_ENABLED: 'true', METRICS_PORT: '9464' })).toMatchObject({
      METRICS_ENABLED: true,
      METRICS_PORT: 9464,
    });
    expect(problemsOf({ METRICS_ENABLED: 'maybe' })).toEqual([expect.stringContaining('METRICS_ENABLED')]);
  });

  test('METRICS_PORT is a TCP port (0: any free one) other than PORT', () => {
    expect(problemsOf({ METRICS_PORT: '0' })).toEqual([]);
    expect(problemsOf({ METRICS_PORT: '70000' })).toEqual([expect.stringContaining('METRICS_PORT must be')]);
    expect(problemsOf({ METRICS_PORT: 'x' })).toEqual([expect.stringContaining('METRICS_PORT must be')]);
    expect(problemsOf({ METRICS_PORT: '3000' })).toEqual([
      'METRICS_PORT must differ from PORT (unset it to serve /metrics on the API port)',
    ]);
    expect(problemsOf({ PORT: '8080', METRICS_PORT: '3000' })).toEqual([]);
  });
});
