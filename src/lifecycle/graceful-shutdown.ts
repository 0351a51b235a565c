import type { INestApplication, LoggerService } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { ShutdownState } from './shutdown.state.js';
import { errorMessage } from '../common/error-message.js';

export interface GracefulShutdownOptions {
  /** Keep serving (readiness 503) this long after the signal, so a load balancer stops routing here. */
  drainMs: number;
  /** Hard limit from the signal to exit; past it the process exits 1 with whatever is still open. */
  graceMs: number;
}

/**
 * On SIGTERM/SIGINT: readiness flips to 503, then (after the drain delay) the server stops accepting,
 * in-flight requests (a login waiting on WeChat included) complete, and only then are Redis and the
 * database closed (they close in onApplicationShutdown, after the HTTP server). Exit 0 when all is
 * closed within the grace period.
 */
export function installGracefulShutdown(
  app: INestApplication,
  logger: LoggerService,
  options: GracefulShutdownOptions,
): void {
  let started = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (started) return;
    started = true;
    logger.log(`${signal} received: draining (readiness 503), grace ${options.graceMs} ms`);
    app.get(ShutdownState).beginDrain();
    const deadline = setTimeout(() => {
      logger.error('shutdown grace period exceeded; exiting with requests or connections still open');
      process.exit(1);
    }, options.graceMs);
    deadline.unref();
    try {
      await sleep(options.drainMs);
      // server.close() waits for every open connection. A keep-alive connection that was busy when it was
      // called stays open after its response, until the client's idle timeout: close such connections as
      // soon as they go idle.
      const server = app.getHttpServer() as { closeIdleConnections?: () => void };
      const reaper = setInterval(() => server.closeIdleConnections?.(), 100);
      await app.close().finally(() => clearInterval(reaper));
      logger.log('shutdown complete');
      process.exit(0);
    } catch (error) {
      logger.error(`shutdown failed: ${errorMessage(error)}`);
      process.exit(1);
    }
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
