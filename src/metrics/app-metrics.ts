import { Inject, Injectable, Optional } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AuditRecorder } from '../audit/audit-event.js';
import type { WechatCallObservation } from '../wechat/index.js';
import { CellCounter, type CountCell } from './cell-counter.js';

/** Every metric of ours starts with this. Node's process metrics keep their standard names. */
export const METRIC_PREFIX = 'weapp_auth_';

// WeChat answers in tens of ms, times out at WECHAT_TIMEOUT_MS (5 s by default).
const WECHAT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
// A PING or SELECT 1 on a healthy local network: well under a millisecond to a few.
const PROBE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * The service's metrics, on a registry of their own (not prom-client's global one, which a library
 * in the same process could fill or reset). Instruments are fed by RequestMetricsHook (requests,
 * logins, rate-limit refusals), the WeChat client's `observeCall` (see app.module.ts) and
 * DependencyProbe (Redis and the database); the audit backlog is read when scraped.
 */
@Injectable()
export class AppMetrics {
  readonly registry = new Registry();

  readonly requests = new CellCounter(
    this.registry,
    `${METRIC_PREFIX}http_requests_total`,
    'HTTP requests answered, by route template (or "unmatched"), method and status',
    ['route', 'method', 'status'],
  );

  readonly logins = new CellCounter(
    this.registry,
    `${METRIC_PREFIX}logins_total`,
    'POST /auth/login outcomes: "ok" or the error code answered (LOGIN_CODE_INVALID, WECHAT_UNAVAILABLE, …)',
    ['code'],
  );

  readonly rateLimited = new CellCounter(
    this.registry,
    `${METRIC_PREFIX}rate_limited_total`,
    'Requests refused by our own rate limits (429 RATE_LIMITED, not WeChat’s), by route template',
    ['route'],
  );

  private readonly wechatCalls = new CellCounter(
    this.registry,
    `${METRIC_PREFIX}wechat_calls_total`,
    'HTTP attempts to WeChat server APIs, by API and errcode (0 = success), or TIMEOUT, UNREACHABLE, MALFORMED when there was none',
    ['api', 'errcode'],
  );

  private readonly wechatDuration = new Histogram({
    name: `${METRIC_PREFIX}wechat_call_duration_seconds`,
    help: 'Duration of HTTP attempts to WeChat server APIs, by API',
    labelNames: ['api'],
    buckets: WECHAT_BUCKETS,
    registers: [this.registry],
  });

  readonly redisErrors = new Counter({
    name: `${METRIC_PREFIX}redis_errors_total`,
    help: 'Redis (session store, rate limits) errors: "connection" events of the shared connection, failed "probe" PINGs',
    labelNames: ['source'],
    registers: [this.registry],
  });

  readonly redisReconnects = new Counter({
    name: `${METRIC_PREFIX}redis_reconnects_total`,
    help: 'Reconnection attempts of the shared Redis connection',
    registers: [this.registry],
  });

  readonly redisProbeDuration = new Histogram({
    name: `${METRIC_PREFIX}redis_probe_duration_seconds`,
    help: 'Duration of the periodic Redis PING (successful ones)',
    buckets: PROBE_BUCKETS,
    registers: [this.registry],
  });

  readonly redisUp = new Gauge({
    name: `${METRIC_PREFIX}redis_up`,
    help: '1 if the last periodic Redis PING succeeded, else 0',
    registers: [this.registry],
  });

  readonly databaseErrors = new Counter({
    name: `${METRIC_PREFIX}database_errors_total`,
    help: 'Database errors: "connection" errors of pooled connections, failed "probe" queries',
    labelNames: ['source'],
    registers: [this.registry],
  });

  readonly databaseProbeDuration = new Histogram({
    name: `${METRIC_PREFIX}database_probe_duration_seconds`,
    help: 'Duration of the periodic database SELECT 1 (successful ones)',
    buckets: PROBE_BUCKETS,
    registers: [this.registry],
  });

  readonly databaseUp = new Gauge({
    name: `${METRIC_PREFIX}database_up`,
    help: '1 if the last periodic database SELECT 1 succeeded, else 0',
    registers: [this.registry],
  });

  private readonly wechatCells = new Map<string, CountCell>();

  /**
   * @param audit optional: the audit module may be left out of the app; then its metrics are too.
   */
  constructor(@Optional() @Inject(AuditRecorder) audit?: AuditRecorder | null) {
    collectDefaultMetrics({ register: this.registry });
    for (const source of ['connection', 'probe']) {
      this.redisErrors.inc({ source }, 0);
      this.databaseErrors.inc({ source }, 0);
    }
    if (audit) this.registerAudit(audit);
  }

  /** For WechatModuleOptions.observeCall: one call of a WeChat API, counted and timed. */
  readonly observeWechatCall = (call: WechatCallObservation): void => {
    const errcode = call.errcode === undefined ? (call.failure ?? 'MALFORMED') : String(call.errcode);
    const key = `${call.api} ${errcode}`;
    let cell = this.wechatCells.get(key);
    if (!cell) {
      cell = this.wechatCalls.cell({ api: call.api, errcode });
      this.wechatCells.set(key, cell);
    }
    cell.n++;
    this.wechatDuration.observe({ api: call.api }, call.durationMs / 1000);
  };

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private registerAudit(audit: AuditRecorder): void {
    new Gauge({
      name: `${METRIC_PREFIX}audit_backlog`,
      help: 'Audit events queued and not yet written to the database',
      registers: [this.registry],
      collect() {
        this.set(audit.stats().backlog);
      },
    });
    // stats() counts since start: the counters follow it by the difference since the last scrape.
    const since = { dropped: 0, failedWrites: 0 };
    const follow = (key: keyof typeof since, name: string, help: string) =>
      new Counter({
        name,
        help,
        registers: [this.registry],
        collect() {
          const now = audit.stats()[key];
          if (now > since[key]) this.inc(now - since[key]);
          since[key] = now;
        },
      });
    follow(
      'dropped',
      `${METRIC_PREFIX}audit_dropped_events_total`,
      'Audit events dropped because the queue was full',
    );
    follow(
      'failedWrites',
      `${METRIC_PREFIX}audit_failed_writes_total`,
      'Audit batch writes that failed (an audit outage; logins go on)',
    );
  }
}
