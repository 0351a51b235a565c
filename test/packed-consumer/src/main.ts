import 'reflect-metadata';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { readSettings } from './settings.js';

// Same source for the ESM and the CommonJS build: no top-level await, no import.meta, and the
// mode-specific modules are loaded with import() so the token-only mode never loads TypeORM.
async function main(): Promise<void> {
  const settings = readSettings();
  const redis = new Redis(settings.redisUrl, { enableAutoPipelining: true, maxRetriesPerRequest: 1 });
  let closeSimulator = async (): Promise<void> => undefined;
  let simulatorUrl: string | null = null;
  let root: DynamicModule;
  if (settings.mode === 'full') {
    const { startWechatSimulator, DEFAULT_SIMULATOR_APP } = await import('weapp-auth/testing');
    const simulator = await startWechatSimulator();
    simulatorUrl = simulator.url;
    closeSimulator = () => simulator.close();
    const { AppModule } = await import('./app.module.js');
    root = AppModule.register({
      settings,
      redis,
      wechatBaseUrl: simulator.url,
      wechatApp: { appid: DEFAULT_SIMULATOR_APP.appid, secret: DEFAULT_SIMULATOR_APP.secret },
    });
  } else {
    const { TokenOnlyModule } = await import('./token-only.module.js');
    root = TokenOnlyModule.register(settings, redis);
  }

  // Express: Nest's default adapter (@nestjs/platform-express).
  const app = await NestFactory.create(root, { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  // The one line the test waits for.
  console.log(JSON.stringify({ url: `http://127.0.0.1:${address.port}`, simulatorUrl }));

  process.once('SIGTERM', () => {
    void (async () => {
      await app.close();
      await closeSimulator();
      redis.disconnect();
      process.exit(0);
    })();
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
