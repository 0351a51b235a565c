import { registerAs } from '@nestjs/config';
import { validateEnv } from './env.validation.js';

export interface AuditConfig {
  /** False: `AuditRecorder` is a no-op (nothing queued, no table writes, no retention job). */
  enabled: boolean;
  /** Rows older than this many days are deleted by the retention job. */
  retentionDays: number;
}

export const DEFAULT_AUDIT_RETENTION_DAYS = 180;

export const auditConfig = registerAs('audit', (): AuditConfig => {
  const env = validateEnv(process.env);
  return {
    enabled: env.AUDIT_ENABLED ?? true,
    retentionDays: env.AUDIT_RETENTION_DAYS ?? DEFAULT_AUDIT_RETENTION_DAYS,
  };
});
