import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp, type CreateAppOptions } from '../../src/bootstrap.js';

export interface RunningTestApp {
  app: NestFastifyApplication;
  /** Base URL such as http://127.0.0.1:41234 */
  url: string;
  close(): Promise<void>;
}

/**
 * Builds the real application with the given environment (on top of a clean one, so the developer's
 * shell cannot leak in), listens on an ephemeral loopback port, and restores process.env afterwards.
 * Tests talk to it over real HTTP: Fastify's inject() does not load under jest on Node 20.
 */
export async function startTestApp(
  env: Record<string, string | undefined>,
  options: CreateAppOptions = {},
): Promise<RunningTestApp> {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) {
    if (
      /^(NODE_ENV|PORT|HOST|DATABASE_URL|SQLITE_PATH|DB_|REDIS_|WECHAT_|SESSION_|AUTH_|RATE_|TRUST_|SWAGGER_|AVATAR_|LOG_|REQUEST_|AUDIT_|METRICS_|OAUTH_)/.test(
        key,
      )
    ) {
      delete process.env[key];
    }
  }
  // Tests keep warnings and errors only; set TEST_APP_LOGS=1 to see every log line.
  Object.assign(process.env, { NODE_ENV: 'test', LOG_LEVEL: saved.TEST_APP_LOGS ? 'info' : 'warn', ...env });
  try {
    const app = await createApp(options);
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
  } finally {
    process.env = saved;
  }
}
