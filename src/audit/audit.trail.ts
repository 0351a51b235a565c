import { Logger, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';
import { errorMessage } from '../common/error-message.js';
import { AuditRecorder, type AuditEventInput } from './audit-event.js';
import { toAuditRow, type AuditRow } from './audit-row.js';
import { AuditStore } from './audit.store.js';

/** Tuning of {@link AuditTrail}; the defaults suit production. @internal */
export interface AuditTrailOptions {
  /** Events held in memory at most (written or not); beyond it new events are dropped and counted. */
  maxQueue: number;
  /** Rows per INSERT; a full batch is written at once rather than at the next tick. */
  batchSize: number;
  /** How long an event waits for company before its batch is written. */
  flushIntervalMs: number;
  /** Retry delay after a failed write doubles from 1 s up to this. */
  maxBackoffMs: number;
  /** At most one warning per this interval for drops, and one for failed writes. */
  logIntervalMs: number;
  /** How long shutdown keeps trying to write what is queued. */
  shutdownFlushMs: number;
}

export const DEFAULT_AUDIT_TRAIL_OPTIONS: AuditTrailOptions = {
  maxQueue: 10_000,
  batchSize: 500,
  flushIntervalMs: 250,
  maxBackoffMs: 30_000,
  logIntervalMs: 10_000,
  shutdownFlushMs: 5_000,
};

const FIRST_BACKOFF_MS = 1000;

/**
 * The audit trail: `record()` only appends to a bounded in-memory queue, and a timer writes the queue
 * in multi-row INSERTs off the request path. One INSERT of up to 500 rows replaces as many round trips
 * on the login path. A database outage never reaches a request: rows stay queued (up to `maxQueue`)
 * and the write is retried with backoff; failed writes and dropped events are counted (`stats()`, the
 * metrics' audit-backlog gauge) and logged at most every 10 s. Shutdown writes what is left.
 *
 * Rows are still in the queue while their INSERT runs, so the bound covers them and a failed batch
 * needs no putting back.
 */
export class AuditTrail extends AuditRecorder implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('AuditTrail');
  private readonly options: AuditTrailOptions;
  private readonly queue: AuditRow[] = [];
  private dropped = 0;
  private failedWrites = 0;
  private consecutiveFailures = 0;
  /** No write before this time (backoff after a failure). */
  private retryAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerDue = 0;
  private writing: Promise<void> | null = null;
  private lastDropWarning = 0;
  private droppedSinceWarning = 0;
  private lastFailureLog = 0;

  constructor(
    private readonly store: AuditStore,
    options: Partial<AuditTrailOptions> = {},
  ) {
    super();
    this.options = { ...DEFAULT_AUDIT_TRAIL_OPTIONS, ...options };
  }

  record(event: AuditEventInput, request?: unknown): void {
    try {
      const now = Date.now();
      if (this.queue.length >= this.options.maxQueue) {
        this.drop(now);
        return;
      }
      this.queue.push(toAuditRow(event, request, now));
      this.schedule(this.queue.length >= this.options.batchSize ? 0 : this.options.flushIntervalMs, now);
    } catch (error) {
      // A malformed event or request must not fail the request that recorded it.
      this.logger.error(`audit event not recorded: ${errorMessage(error)}`);
    }
  }

  stats(): { backlog: number; dropped: number; failedWrites: number } {
    return { backlog: this.queue.length, dropped: this.dropped, failedWrites: this.failedWrites };
  }

  /** Writes what is queued before the database closes (the database closes in onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.drain(this.options.shutdownFlushMs);
  }

  /** Anything recorded since (a request that finished late) gets one more, short, attempt. */
  async onApplicationShutdown(): Promise<void> {
    await this.drain(Math.min(1000, this.options.shutdownFlushMs));
    this.clearTimer();
    if (this.queue.length > 0) {
      this.logger.error(`${this.queue.length} audit events could not be written before shutdown`);
    }
  }

  /**
   * Writes until the queue is empty or `withinMs` has passed, ignoring backoff. Gives up at the first
   * failed write: a database that is down at shutdown would only hold the exit up.
   */
  async drain(withinMs: number): Promise<void> {
    const deadline = Date.now() + withinMs;
    this.clearTimer();
    if (this.writing) await this.writing;
    const failures = this.failedWrites;
    while (this.queue.length > 0 && Date.now() < deadline && this.failedWrites === failures) {
      this.retryAt = 0;
      await this.write(true);
    }
  }

  private schedule(delayMs: number, now: number): void {
    if (this.writing) return; // the write in progress schedules the next one when it ends
    const due = Math.max(now + delayMs, this.retryAt);
    if (this.timer) {
      if (this.timerDue <= due) return;
      clearTimeout(this.timer);
    }
    this.timerDue = due;
    this.timer = setTimeout(this.onTimer, due - now);
    // Never keeps the process alive on its own: shutdown drains explicitly.
    this.timer.unref();
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    void this.write(false);
  };

  /** One write cycle: full batches back to back, then a partial one (everything when draining). */
  private write(draining: boolean): Promise<void> {
    if (this.writing) return this.writing;
    this.writing = this.writeBatches(draining).finally(() => {
      this.writing = null;
      if (this.queue.length > 0 && !draining) {
        const now = Date.now();
        this.schedule(this.queue.length >= this.options.batchSize ? 0 : this.options.flushIntervalMs, now);
      }
    });
    return this.writing;
  }

  private async writeBatches(draining: boolean): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.options.batchSize);
      try {
        await this.store.insert(batch);
      } catch (error) {
        this.failed(error);
        return;
      }
      this.queue.splice(0, batch.length);
      this.consecutiveFailures = 0;
      this.retryAt = 0;
      // A partial batch is written once per interval, so that a quiet period still batches.
      if (!draining && this.queue.length < this.options.batchSize) return;
    }
  }

  private failed(error: unknown): void {
    const now = Date.now();
    this.failedWrites++;
    this.consecutiveFailures++;
    const backoff = Math.min(
      FIRST_BACKOFF_MS * 2 ** Math.min(this.consecutiveFailures - 1, 20),
      this.options.maxBackoffMs,
    );
    this.retryAt = now + backoff;
    if (now - this.lastFailureLog >= this.options.logIntervalMs) {
      this.lastFailureLog = now;
      this.logger.error(
        `audit write failed (${this.failedWrites} failed writes so far, ${this.queue.length} events ` +
          `queued, retry in ${backoff} ms): ${errorMessage(error)}`,
      );
    }
  }

  private drop(now: number): void {
    this.dropped++;
    this.droppedSinceWarning++;
    if (now - this.lastDropWarning < this.options.logIntervalMs) return;
    this.lastDropWarning = now;
    this.logger.warn(
      `audit queue full (${this.options.maxQueue} events): dropped ${this.droppedSinceWarning} events ` +
        `(${this.dropped} since start)`,
    );
    this.droppedSinceWarning = 0;
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** `AUDIT_ENABLED=false`: records nothing (comparison benchmarks, deployments that audit elsewhere). */
export class NoopAuditRecorder extends AuditRecorder {
  record(): void {}

  stats(): { backlog: number; dropped: number; failedWrites: number } {
    return { backlog: 0, dropped: 0, failedWrites: 0 };
  }
}
