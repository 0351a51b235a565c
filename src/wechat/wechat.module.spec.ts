import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WECHAT_CLIENT } from './wechat.constants.js';
import { InjectWechatClient } from './wechat.decorators.js';
import { WechatClient } from './wechat.client.js';
import { WechatApiError } from './wechat-api.error.js';
import { WechatModule } from './wechat.module.js';

const APP = { appid: 'wx0123456789abcdef', secret: '0123456789abcdef0123456789abcdef' };
// Nothing listens here: a call that reached the network would fail as UNREACHABLE, not MISCONFIGURED.
const BASE_URL = 'http://127.0.0.1:9';

@Injectable()
class Consumer {
  constructor(@InjectWechatClient() readonly client: WechatClient) {}
}

const CONFIG = Symbol('CONFIG');

@Module({ providers: [{ provide: CONFIG, useValue: { apps: [APP], baseUrl: BASE_URL } }], exports: [CONFIG] })
class FakeConfigModule {}

let app: INestApplicationContext | undefined;

async function boot(root: object): Promise<INestApplicationContext> {
  app = await NestFactory.createApplicationContext(root as never, { logger: false, abortOnError: false });
  return app;
}

afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('WechatModule', () => {
  it('forRoot provides the client by class and by token', async () => {
    @Module({ imports: [WechatModule.forRoot({ apps: [APP], baseUrl: BASE_URL })], providers: [Consumer] })
    class RootModule {}
    const ctx = await boot(RootModule);
    const client = ctx.get(WechatClient);
    expect(client).toBeInstanceOf(WechatClient);
    expect(ctx.get(WECHAT_CLIENT)).toBe(client);
    expect(ctx.get(Consumer).client).toBe(client);
    expect(client.defaultAppid).toBe(APP.appid);
    expect(client.hasApp(APP.appid)).toBe(true);
    expect(client.hasApp('wxfedcba9876543210')).toBe(false);
  });

  it('forRootAsync resolves options from injected providers', async () => {
    @Module({
      imports: [
        WechatModule.forRootAsync({
          imports: [FakeConfigModule],
          inject: [CONFIG],
          useFactory: (config: { apps: (typeof APP)[]; baseUrl: string }) => config,
          isGlobal: true,
        }),
      ],
      providers: [Consumer],
    })
    class RootModule {}
    const ctx = await boot(RootModule);
    expect(ctx.get(Consumer).client).toBeInstanceOf(WechatClient);
    expect(ctx.get(WECHAT_CLIENT)).toBe(ctx.get(WechatClient));
  });

  it('fails at startup on bad options with a clear message', async () => {
    @Module({ imports: [WechatModule.forRoot({ apps: [{ appid: 'nope', secret: 'c4na7y' }] })] })
    class RootModule {}
    const booting = NestFactory.createApplicationContext(RootModule, { logger: false, abortOnError: false });
    await expect(booting).rejects.toThrow('Invalid WechatModule options: apps[0].appid must be "wx"');
    await expect(booting).rejects.not.toThrow('c4na7y');
  });

  it('rejects unknown appids without a network call, and closes its pool on shutdown', async () => {
    @Module({ imports: [WechatModule.forRoot({ apps: [APP], baseUrl: BASE_URL })] })
    class RootModule {}
    const ctx = await boot(RootModule);
    const client = ctx.get(WechatClient);
    const unknown = await client.code2Session('wxfedcba9876543210', 'code').catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(WechatApiError);
    expect(unknown).toMatchObject({ kind: 'MISCONFIGURED', api: 'jscode2session', detail: 'unknown appid' });
    await expect(client.getAccessToken('wxfedcba9876543210')).rejects.toMatchObject({
      kind: 'MISCONFIGURED',
    });

    await ctx.close();
    app = undefined;
    await expect(client.code2Session(APP.appid, 'code')).rejects.toMatchObject({ kind: 'UNREACHABLE' });
  });
});
