import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { AuthModule, AuthModuleOptionsError } from 'weapp-auth';

type AuthOptions = Parameters<typeof AuthModule.forRoot>[0];

interface Attempt {
  booted: boolean;
  optionsError?: boolean;
  message?: string;
}

/** Boots a token-only AuthModule with incomplete options and says how it failed. */
async function attempt(options: Record<string, unknown>): Promise<Attempt> {
  try {
    const context = await NestFactory.createApplicationContext(
      AuthModule.forRoot({ routes: false, ...options } as unknown as AuthOptions),
      { logger: false, abortOnError: false },
    );
    await context.close();
    return { booted: true };
  } catch (error) {
    return {
      booted: false,
      optionsError: error instanceof AuthModuleOptionsError,
      message: error instanceof Error ? error.message : String(error),
    };
  }
}

async function main(): Promise<void> {
  // Never connects: the options are rejected before any command.
  const redis = new Redis({ lazyConnect: true, enableOfflineQueue: false, retryStrategy: () => null });
  const noStore = await attempt({ sessionKeySecret: 'x'.repeat(40) });
  const noSecret = await attempt({ redis });
  redis.disconnect();
  console.log(JSON.stringify({ noStore, noSecret }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
