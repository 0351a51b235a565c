import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createApp } from './bootstrap.js';
import type { AllConfig } from './config/config.type.js';
import { InvalidEnvironmentError, validateEnv } from './config/env.validation.js';
import { startDevelopmentSimulator } from './development-simulator.js';
import { developmentFallbacks } from './config/development-mode.js';
import { installGracefulShutdown } from './lifecycle/graceful-shutdown.js';

async function main(): Promise<void> {
  const logger = new Logger('Bootstrap');
  validateEnv(process.env);
  await startDevelopmentSimulator();
  const app = await createApp();
  const config = app.get<ConfigService<AllConfig, true>>(ConfigService);
  const { port, host } = config.get('app', { infer: true });
  const { shutdownDrainMs, shutdownGraceMs } = config.get('server', { infer: true });
  // Ends the process (and with it the development simulator) once the app has closed.
  installGracefulShutdown(app, logger, { drainMs: shutdownDrainMs, graceMs: shutdownGraceMs });
  await app.listen(port, host);
  const fallbacks = developmentFallbacks(config);
  if (fallbacks.length > 0) {
    // Plain text on stderr, not only a JSON line: nobody should miss that this is not a real deployment.
    process.stderr.write(
      [
        '',
        '==================== DEVELOPMENT MODE ====================',
        ...fallbacks.map((line) => `  ${line}`),
        '  Not for production: NODE_ENV=production refuses all of these.',
        '===========================================================',
        '',
      ].join('\n'),
    );
    logger.warn(`development mode: ${fallbacks.join('; ')}`);
  }
  logger.log(`weapp-auth listening on http://${host}:${port}`);
}

main().catch((error: unknown) => {
  // A bad environment is an operator mistake: print the list of problems, not a stack trace.
  if (error instanceof InvalidEnvironmentError) console.error(error.message);
  else console.error('weapp-auth failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
