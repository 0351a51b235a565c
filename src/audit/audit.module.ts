import { Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { auditConfig, type AuditConfig } from '../config/audit.config.js';
import { AuditRecorder } from './audit-event.js';
import { AuditQuery } from './audit.query.js';
import { AuditRetention } from './audit.retention.js';
import { AuditStore, TypeOrmAuditStore } from './audit.store.js';
import { AuditTrail, NoopAuditRecorder } from './audit.trail.js';
import { LoginFailureAudit } from './login-failure.hook.js';

/**
 * The audit trail (`audit_events`): `AuditRecorder` for whoever records events (the auth module's
 * listener, the profile services, the operator API), `AuditQuery` to read them back. Global, so
 * feature modules inject both without importing this module.
 */
@Global()
@Module({
  providers: [
    { provide: AuditStore, inject: [DataSource], useFactory: (ds: DataSource) => new TypeOrmAuditStore(ds) },
    {
      provide: AuditRecorder,
      inject: [auditConfig.KEY, AuditStore],
      useFactory: (config: AuditConfig, store: AuditStore) =>
        config.enabled ? new AuditTrail(store) : new NoopAuditRecorder(),
    },
    AuditQuery,
    AuditRetention,
    LoginFailureAudit,
  ],
  exports: [AuditRecorder, AuditQuery],
})
export class AuditModule {}
