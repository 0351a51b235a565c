import { describe, expect, test } from '@jest/globals';
import { NestFactory } from '@nestjs/core';
import { AuthModule } from './auth.module.js';
import { SessionService } from './session/session.service.js';
import { SessionStore } from './session/session.store.js';
import { MemorySessionStore } from './session/memory-session.store.js';

const sessionKeySecret = 'k'.repeat(32);

describe('AuthModule', () => {
  const resolve = async (module: Parameters<typeof NestFactory.createApplicationContext>[0]) => {
    const context = await NestFactory.createApplicationContext(module, { logger: false });
    try {
      return { sessions: context.get(SessionService), store: context.get(SessionStore) };
    } finally {
      await context.close();
    }
  };

  test('forRoot resolves its session service and store', async () => {
    const { sessions, store } = await resolve(
      AuthModule.forRoot({ inMemoryStore: true, sessionKeySecret, routes: false }),
    );
    expect(sessions).toBeInstanceOf(SessionService);
    expect(store).toBeInstanceOf(MemorySessionStore);
  });

  test('forRootAsync resolves them too, and uses a custom store when given one', async () => {
    const custom = new MemorySessionStore();
    const { store } = await resolve(
      AuthModule.forRootAsync({
        routes: false,
        useFactory: async () => ({ sessionStore: custom, sessionKeySecret }),
      }),
    );
    expect(store).toBe(custom);
  });
});
