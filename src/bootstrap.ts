import { ValidationPipe, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { ErrorResponseFilter } from './common/error-response.filter.js';
import { validationFailed } from './common/validation-failed.exception.js';
import { validateEnv } from './config/env.validation.js';

/** JSON bodies larger than this are refused with 413: login and profile payloads are tiny. */
export const JSON_BODY_LIMIT_BYTES = 16 * 1024;

/**
 * Builds the configured application without listening, for main.ts and for tests
 * (which listen on an ephemeral port and talk real HTTP).
 */
export async function createApp(
  options: { logger?: LogLevel[] | false } = {},
): Promise<NestFastifyApplication> {
  // Validate before Nest starts, so a bad environment yields one clear list and no framework stack trace.
  validateEnv(process.env);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(),
    new FastifyAdapter({ bodyLimit: JSON_BODY_LIMIT_BYTES }),
    { abortOnError: false, ...(options.logger !== undefined && { logger: options.logger }) },
  );
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: validationFailed,
    }),
  );
  app.useGlobalFilters(new ErrorResponseFilter());
  app.enableShutdownHooks();
  return app;
}
