import multipart from '@fastify/multipart';
import { ValidationPipe, type LogLevel } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdirSync } from 'node:fs';
import { AppModule } from './app.module.js';
import { ErrorResponseFilter } from './common/error-response.filter.js';
import { validationFailed } from './common/validation-failed.exception.js';
import type { AllConfig } from './config/config.type.js';
import { validateEnv } from './config/env.validation.js';
import { AVATAR_MAX_BYTES } from './profile/avatar.constants.js';
import { setupSwagger } from './swagger/setup-swagger.js';

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
  await registerUploads(app);
  setupSwagger(app);
  app.enableShutdownHooks();
  return app;
}

/**
 * Multipart bodies for avatar uploads (wx.uploadFile: one file part, 2 MB). Avatars are served back by
 * the profile module's `GET /avatars/:file`.
 */
async function registerUploads(app: NestFastifyApplication): Promise<void> {
  const { avatarDir } = app
    .get<ConfigService<AllConfig, true>>(ConfigService)
    .get('profile', { infer: true });
  mkdirSync(avatarDir, { recursive: true });
  await app.register(multipart, {
    limits: { fileSize: AVATAR_MAX_BYTES, files: 1, fields: 10, fieldSize: 1024, parts: 12 },
  });
}
