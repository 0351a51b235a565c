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
import { SWAGGER_UI_PATH } from './swagger/setup-swagger.js';

async function main(): Promise<void> {
  const logger = new Logger('Bootstrap');
  validateEnv(process.env);
  claimDevelopmentDatabase();
  const simulator = await startDevelopmentSimulator();
  const app = await createApp();
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
