import {
  Inject,
  Injectable,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import type { RedisConnection } from '../redis/redis-connection.js';
import { REDIS_CLIENT } from '../redis/redis.constants.js';
import { AppMetrics } from './app-metrics.js';

/** How often Redis and the database are probed. */
export const PROBE_INTERVAL_MS = 10_000;
/** How long start-up waits for the first probe, so `*_up` is not a spurious 0 from the first scrape. */
const FIRST_PROBE_WAIT_MS = 250;

/**
 * Redis and database health for the metrics, without touching the code that uses them: the shared
 * Redis connection's `error` and `reconnecting` events, the mysql2 pool's connection errors, and a
 * periodic PING and `SELECT 1` (timed, failures counted, `*_up` set). The probe costs one round trip to
 * each every 10 s; a probe still running when the next is due is not doubled.
 */
@Injectable()
export class DependencyProbe implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private probing = false;
  private readonly detach: (() => void)[] = [];

  constructor(
    private readonly metrics: AppMetrics,
    @Inject(REDIS_CLIENT) private readonly redis: RedisConnection | null,
    @Optional() @Inject(DataSource) private readonly dataSource?: DataSource | null,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.watchRedis();
    this.watchDatabasePool();
    // Healthy dependencies answer in a millisecond; a dead one does not hold start-up up for long.
    await Promise.race([this.probe(), sleep(FIRST_PROBE_WAIT_MS, undefined, { ref: false })]);
    this.timer = setInterval(() => void this.probe(), PROBE_INTERVAL_MS);
    // Metrics never keep the process alive on their own.
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
    for (const off of this.detach.splice(0)) off();
  }

  /** One round of probes (also what the timer runs). */
  async probe(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      await Promise.all([this.probeRedis(), this.probeDatabase()]);
    } finally {
      this.probing = false;
    }
  }

  private async probeRedis(): Promise<void> {
    if (!this.redis) return; // development: the in-process store
    const start = performance.now();
    try {
      await this.redis.ping();
      this.metrics.redisProbeDuration.observe((performance.now() - start) / 1000);
      this.metrics.redisUp.set(1);
    } catch {
      this.metrics.redisErrors.inc({ source: 'probe' });
      this.metrics.redisUp.set(0);
    }
  }

  private async probeDatabase(): Promise<void> {
    const dataSource = this.dataSource;
    if (!dataSource?.isInitialized) return;
    const start = performance.now();
    try {
      await dataSource.query('SELECT 1');
      this.metrics.databaseProbeDuration.observe((performance.now() - start) / 1000);
      this.metrics.databaseUp.set(1);
    } catch {
      this.metrics.databaseErrors.inc({ source: 'probe' });
      this.metrics.databaseUp.set(0);
    }
  }

  private watchRedis(): void {
    const redis = this.redis;
    if (!redis) return;
    const onError = () => this.metrics.redisErrors.inc({ source: 'connection' });
    const onReconnecting = () => this.metrics.redisReconnects.inc();
    redis.on('error', onError);
    redis.on('reconnecting', onReconnecting);
    this.detach.push(() => {
      redis.off('error', onError);
      redis.off('reconnecting', onReconnecting);
    });
  }

  /**
   * TypeORM's MySQL driver exposes its mysql2 pool; each new pooled connection gets an error listener
   * (as TypeORM itself adds one to log them). Connections opened before start-up finished are covered
   * by the probe only. SQLite (development) has no pool.
   */
  private watchDatabasePool(): void {
    const driver = this.dataSource?.driver as { pool?: EventEmitter; poolCluster?: EventEmitter } | undefined;
    const pool = driver?.pool ?? driver?.poolCluster;
    if (!pool || typeof pool.on !== 'function') return;
    const onError = () => this.metrics.databaseErrors.inc({ source: 'connection' });
    const onConnection = (connection: EventEmitter) => connection.on('error', onError);
    pool.on('connection', onConnection);
    this.detach.push(() => pool.off('connection', onConnection));
  }
}
