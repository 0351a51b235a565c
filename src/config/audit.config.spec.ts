import { describe, expect, test } from '@jest/globals';
import { auditConfig } from './audit.config.js';
import { validateEnv } from './env.validation.js';
import { problemsOf } from '../../test/support/env-problems.js';

describe('audit settings', () => {
  test('AUDIT_ENABLED and AUDIT_RETENTION_DAYS are validated', () => {
    expect(validateEnv({ AUDIT_ENABLED: 'off', AUDIT_RETENTION_DAYS: '30' })).toMatchObject({
      AUDIT_ENABLED: false,
      AUDIT_RETENTION_DAYS: 30,
    });
    for (const days of ['0', '-5', '1.5', 'forever', '40000']) {
      expect(problemsOf({ AUDIT_RETENTION_DAYS: days })[0]).toMatch(/AUDIT_RETENTION_DAYS/);
    }
    expect(problemsOf({ AUDIT_ENABLED: 'maybe' })[0]).toMatch(/AUDIT_ENABLED/);
  });

  test('defaults: on, 180 days', () => {
    const saved = { ...process.env };
    try {
      delete process.env.AUDIT_ENABLED;
      delete process.env.AUDIT_RETENTION_DAYS;
      expect(auditConfig()).toEqual({ enabled: true, retentionDays: 180 });
    } finally {
      process.env = saved;
    }
  });
});
