import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AddressInfo } from 'node:net';
import type { Logger as PinoLogger } from 'pino';
import { createApp } from './bootstrap.js';
import type { AllConfig } from './config/config.type.js';
import { InvalidEnvironmentError, validateEnv } from './config/env.validation.js';
import { developmentBanner } from './development-banner.js';
import { claimDevelopmentDatabase, DatabaseFileInUseError } from './development-database.js';
import { startDevelopmentSimulator } from './development-simulator.js';
import { developmentFallbacks } from './config/development-mode.js';
import { DEVELOPMENT_WECHAT_APP } from './config/wechat.config.js';
import { installGracefulShutdown } from './lifecycle/graceful-shutdown.js';
import { isAddressInUse, PortInUseError } from './lifecycle/port-in-use.error.js';
import { startupFailureLine } from './lifecycle/startup-failure.js';
import { serverConfig } from './config/server.config.js';
import { NestPinoLogger } from './logging/nest-logger.js';
import { bufferedStdout, createRootLogger } from './logging/root-logger.js';
import { StartupLogGate } from './logging/startup-log-gate.js';
import { SWAGGER_UI_PATH } from './swagger/setup-swagger.js';

/**
 * Production start-up is quiet until the server listens: its log lines (Nest's progress, TypeORM's
 * retries, each with a stack) are held, and written out once it listens. A failed start-up drops them
 * and prints one JSON line naming the cause and the dependency's host:port instead (see the catch below).
 */
const startupLog = process.env.NODE_ENV === 'production' ? new StartupLogGate(bufferedStdout()) : null;

async function main(): Promise<void> {
  const logger = new Logger('Bootstrap');
  validateEnv(process.env);
  // Until createApp installs its own, Nest's logger is its coloured console one: route it into the gate.
  if (startupLog)
    Logger.overrideLogger(new NestPinoLogger(createRootLogger(serverConfig().logLevel, startupLog)));
  claimDevelopmentDatabase();
  const simulator = await startDevelopmentSimulator();
  const app = await createApp(startupLog ? { logDestination: startupLog } : {});
  const config = app.get<ConfigService<AllConfig, true>>(ConfigService);
  const { port, host } = config.get('app', { infer: true });
  const { shutdownDrainMs, shutdownGraceMs } = config.get('server', { infer: true });
  // Ends the process (and with it the development simulator) once the app has closed.
  installGracefulShutdown(app, logger, { drainMs: shutdownDrainMs, graceMs: shutdownGraceMs });
  await app.listen(port, host).catch((error: unknown) => {
    throw isAddressInUse(error) ? new PortInUseError(port, 'PORT', { cause: error }) : error;
  });
  // The port it got: PORT=0 means any free one.
  const { port: boundPort } = app.getHttpServer().address() as AddressInfo;
  const apiUrl = `http://${reachableHost(host)}:${boundPort}`;
  startupLog?.open();
  logger.log(`weapp-auth listening on ${apiUrl}`);
  const fallbacks = developmentFallbacks(config);
  if (fallbacks.length === 0) return;
  logger.warn(`development mode: ${fallbacks.join('; ')}`);
  // Plain text on stderr, after the log lines so far (they are batched): the last thing on screen.
  (app.getHttpAdapter().getInstance().log as PinoLogger).flush();
  process.stderr.write(
    developmentBanner({
      apiUrl,
      docsUrl: config.get('swagger', { infer: true }).enabled ? `${apiUrl}/${SWAGGER_UI_PATH}` : undefined,
      simulator: simulator ? { url: simulator.url, appid: DEVELOPMENT_WECHAT_APP.appid } : undefined,
      fallbacks,
    }),
  );
}

/** A URL a local client can open: the wildcard addresses are not. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

main().catch((error: unknown) => {
  if (startupLog) {
    // Production: one JSON line on stderr; the held lines and the stacks only at LOG_LEVEL=debug.
    const held = startupLog.discard();
    const debug = ['debug', 'trace'].includes(process.env.LOG_LEVEL ?? '');
    if (debug) for (const line of held) process.stderr.write(line);
    process.stderr.write(startupFailureLine(error, { stack: debug }));
    process.exit(1);
  }
  // A bad environment is an operator mistake: print the list of problems, not a stack trace.
  // Likewise a port or database file in use: one line naming the variable to change.
  if (
    error instanceof InvalidEnvironmentError ||
    error instanceof PortInUseError ||
    error instanceof DatabaseFileInUseError
  )
    console.error(error.message);
  else console.error('weapp-auth failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
