import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { AuthModule, AuthModuleOptionsError } from '../src/auth/index.js';
import { ConsumerAppModule } from './consumer-app/app.module.js';
import { http } from './support/http.js';
import { TEST_SESSION_KEY_SECRET, startTestStack, type TestStack } from './support/test-stack.js';
import { testRedisUrl } from './support/test-services.js';

describe('another Nest service importing the auth module (token verification only)', () => {
  let stack: TestStack;
  let consumer: NestFastifyApplication;
  let consumerRedis: Redis;
  let consumerUrl: string;

  beforeAll(async () => {
    stack = await startTestStack('consumer-app');
    consumerRedis = new Redis(testRedisUrl(), { enableAutoPipelining: true });
    consumer = await NestFactory.create<NestFastifyApplication>(
      ConsumerAppModule.register(consumerRedis, stack.redisPrefix, TEST_SESSION_KEY_SECRET),
      new FastifyAdapter(),
      { logger: ['error'] },
    );
    await consumer.listen(0, '127.0.0.1');
    const address = consumer.getHttpServer().address();
    consumerUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    await consumer.close();
    consumerRedis.disconnect();
    await stack.close();
  });

  test('401 without a token, 200 with one issued by the main app, 401 once the main app revoked it', async () => {
    const mine = (token?: string) => http('GET', `${consumerUrl}/orders/mine`, { token });

    const anonymous = await mine();
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('SESSION_INVALID');
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer /);

    const login = await stack.login();
    const token = login.body.token as string;
    const accepted = await mine(token);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ userId: login.body.user.id, appid: stack.appid });

    expect((await http('POST', `${stack.url}/auth/logout`, { token })).status).toBe(204);
    expect((await mine(token)).status).toBe(401);
  });

  test('public routes stay public, and the login routes are left out', async () => {
    expect((await http('GET', `${consumerUrl}/orders/catalogue`)).status).toBe(200);
    expect((await http('POST', `${consumerUrl}/auth/login`, { body: { code: 'abc' } })).status).toBe(404);
  });

  test('a consumer with no store or no secret fails to boot with a clear message', async () => {
    const boot = (options: object) =>
      NestFactory.createApplicationContext(AuthModule.forRoot({ routes: false, ...options } as never), {
        logger: false,
        abortOnError: false,
      });
    await expect(boot({ sessionKeySecret: TEST_SESSION_KEY_SECRET })).rejects.toThrow(AuthModuleOptionsError);
    await expect(boot({ sessionKeySecret: TEST_SESSION_KEY_SECRET })).rejects.toThrow(/no session store/);
    await expect(boot({ redis: consumerRedis })).rejects.toThrow(/sessionKeySecret/);
  });
});
