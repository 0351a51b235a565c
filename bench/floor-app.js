// Scenario F of `npm run bench`: the floor of B, what Nest on Fastify costs with nothing of ours. One
// global guard reads the session record B's token names with one ioredis GET (the same key, in the
// same Redis) and parses it; the route answers the cached profile. No logging, metrics, rate limits,
// headers, deadline or batching. Plain JavaScript with the decorators applied by hand; it takes only the
// token hash from the build (`npm run bench` builds first). Port from BENCH_PORT; REDIS_URL and
// REDIS_KEY_PREFIX as the app's.
import 'reflect-metadata';
import { Controller, Get, Injectable, Module, Req } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { hashSessionToken } from '../dist/src/auth/session/session-token.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const prefix = process.env.REDIS_KEY_PREFIX ?? 'wxauth:';

class SessionGuard {
  canActivate(context) {
    const request = context.getArgByIndex(0);
    if (request.url === '/ready') return true;
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token) return false;
    // The app's own token hash and session key (src/auth/session/redis-session.store.ts).
    return redis.get(`${prefix}session:{${hashSessionToken(token)}}`).then((json) => {
      if (json === null) return false;
      request.session = JSON.parse(json);
      return true;
    });
  }
}
Injectable()(SessionGuard);

class UsersController {
  me(request) {
    return request.session.snapshot;
  }
}
Controller('users/me')(UsersController);
Get()(UsersController.prototype, 'me', Object.getOwnPropertyDescriptor(UsersController.prototype, 'me'));
Req()(UsersController.prototype, 'me', 0);

class ReadyController {
  ready() {
    return { ready: true };
  }
}
Controller('ready')(ReadyController);
Get()(
  ReadyController.prototype,
  'ready',
  Object.getOwnPropertyDescriptor(ReadyController.prototype, 'ready'),
);

class FloorModule {}
Module({
  controllers: [UsersController, ReadyController],
  providers: [{ provide: APP_GUARD, useClass: SessionGuard }],
})(FloorModule);

const app = await NestFactory.create(FloorModule, new FastifyAdapter(), { logger: false });
await app.listen(Number(process.env.BENCH_PORT), '127.0.0.1');
console.log(`floor app on port ${process.env.BENCH_PORT}`);
process.on('SIGTERM', () => process.exit(0));
