import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { setImmediate as yieldToRequests } from 'node:timers/promises';
import { auditConfig, type AuditConfig } from '../config/audit.config.js';
import { errorMessage } from '../common/error-message.js';
import { formatSqlTime } from '../common/sql-time.js';
import { AuditStore } from './audit.store.js';

const DAY_MS = 86_400_000;
/** Rows per DELETE: short statements, so a large backlog never holds locks for long. */
export const AUDIT_DELETE_CHUNK = 5000;
/** At most this many chunks per run (10 million rows); the next run carries on. */
const MAX_CHUNKS_PER_RUN = 2000;
const FIRST_RUN_AFTER_MS = 60_000;
const RUN_EVERY_MS = 3_600_000;
const LOCK_NAME = 'weapp-auth:audit-retention';

/**
 * Deletes audit events older than `AUDIT_RETENTION_DAYS`, a minute after start and then hourly.
 * Several instances may run it at once: each DELETE removes a bounded chunk of rows that are old by then
 * whoever deletes them, and a MySQL named lock makes the other instances skip a run already in progress.
 */
@Injectable()
export class AuditRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditRetention');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number | null> | null = null;

  constructor(
    private readonly store: AuditStore,
    @Inject(auditConfig.KEY) private readonly config: AuditConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.enabled) this.scheduleNext(FIRST_RUN_AFTER_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /**
   * One retention pass: deletes every row older than the retention period, as of `now`. Resolves with
   * the number deleted, or null when another instance was running it.
   */
  runOnce(now = Date.now()): Promise<number | null> {
    this.running ??= this.purge(now).finally(() => (this.running = null));
    return this.running;
  }

  private async purge(now: number): Promise<number | null> {
    const cutoff = formatSqlTime(now - this.config.retentionDays * DAY_MS);
    return this.store.exclusively(LOCK_NAME, async (session) => {
      let total = 0;
      for (let chunk = 0; chunk < MAX_CHUNKS_PER_RUN; chunk++) {
        const deleted = await this.store.deleteOlderThan(cutoff, AUDIT_DELETE_CHUNK, session);
        total += deleted;
        if (deleted < AUDIT_DELETE_CHUNK) break;
        await yieldToRequests();
      }
      if (total > 0) this.logger.log(`deleted ${total} audit events from before ${cutoff} UTC`);
      return total;
    });
  }

  private scheduleNext(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.runOnce()
        .catch((error: unknown) => this.logger.warn(`audit retention run failed: ${errorMessage(error)}`))
        .finally(() => this.scheduleNext(RUN_EVERY_MS));
    }, delayMs);
    this.timer.unref();
  }
}
