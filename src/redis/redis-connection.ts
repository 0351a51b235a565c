import { Logger } from '@nestjs/common';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { urlAddress } from '../lifecycle/startup-failure.js';

/** How long a Redis command may take before callers treat Redis as unavailable (fail closed with 503). */
export const REDIS_COMMAND_TIMEOUT_MS = 1000;
const READY_WAIT_MS = 3000;

export type RedisConnection = Redis | Cluster;

/**
 * Opens the shared Redis connection: one `redis://` URL for a single server (or a managed endpoint),
 * or a comma-separated list of cluster nodes for Redis Cluster. Fail-fast settings: no offline
 * queue (a command while disconnected fails at once instead of piling up), a command timeout,
 * and endless background reconnects so the service recovers without a restart. No auto-pipelining:
 * once the guarded path had shed its extra promises, it measured slower with it than without, and
 * its batches made a convoy of replies that put the p99 of a guarded GET at ~35 ms instead of ~7 ms
 * (bench/). Waits briefly for the first connection but
 * never blocks boot on it: readiness reports Redis down until it answers.
 */
export async function openRedisConnection(url: string): Promise<RedisConnection> {
  const logger = new Logger('Redis');
  const urls = url.split(',').map((part) => part.trim());
  // host:port for the log lines: an operator sees which server, never the password.
  const address = urlAddress(url, 6379);
  const options: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    lazyConnect: true,
  };
  const client: RedisConnection =
    urls.length > 1
      ? new Cluster(urls.map(clusterNode), {
          enableOfflineQueue: false,
          lazyConnect: true,
          clusterRetryStrategy: (attempt) => Math.min(attempt * 200, 2000),
          redisOptions: { ...options, password: new URL(urls[0]).password || undefined },
        })
      : new Redis(url, options);
  let lastError = '';
  client.on('error', (error: Error & { code?: string }) => {
    // ioredis emits an error per failed reconnect; log each distinct one once.
    const summary = error.code ?? error.message;
    if (summary !== lastError) logger.warn(`Redis connection problem (${address}): ${summary}`);
    lastError = summary;
  });
  client.on('ready', () => {
    if (lastError) logger.log(`Redis connection restored (${address})`);
    lastError = '';
  });
  await Promise.race([client.connect().catch(() => undefined), delay(READY_WAIT_MS)]);
  if (client.status !== 'ready')
    logger.error(`Redis at ${address} is not reachable yet; requests needing it answer 503`);
  return client;
}

function clusterNode(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || 6379) };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
