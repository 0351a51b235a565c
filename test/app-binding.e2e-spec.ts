import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Controller, Get, Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import {
  AuthModule,
  AuthModuleOptionsError,
  CurrentUser,
  ForApps,
  type AuthUser,
  type AuthUsersPort,
  type CurrentUserContext,
  type WechatIdentity,
} from '../src/auth/index.js';
import { DEFAULT_SIMULATOR_APP, WechatSimulator } from '../src/wechat-simulator/index.js';
import { http } from './support/http.js';

// A host app around the module (imported through its entry point only), two mini programs configured.
const APP_A = DEFAULT_SIMULATOR_APP;
const APP_B = { appid: 'wx00000000000000b2', secret: 'b2'.repeat(16) };

@Controller('open')
class OpenController {
  @Get()
  who(@CurrentUser() caller: CurrentUserContext) {
    return { appid: caller.appid };
  }
}

@Controller('bound')
class BoundRoutesController {
  @Get('a')
  @ForApps(APP_A.appid)
  a(@CurrentUser() caller: CurrentUserContext) {
    return { appid: caller.appid };
  }

  @Get('b')
  @ForApps(APP_B.appid)
  b() {
    return {};
  }

  @Get('both')
  @ForApps(APP_A.appid, APP_B.appid)
  both() {
    return {};
  }
}

/** The class binds to B; one method re-binds to A. */
@Controller('class-b')
@ForApps(APP_B.appid)
class ClassBoundController {
  @Get()
  inherited() {
    return {};
  }

  @Get('a')
  @ForApps(APP_A.appid)
  overridden() {
    return {};
  }
}

/** One user per (appid, openid), in memory: enough for sessions. */
class MemoryUsers implements AuthUsersPort {
  private readonly ids = new Map<string, number>();

  findOrCreate({ appid, openid }: WechatIdentity): Promise<AuthUser> {
    const key = `${appid}/${openid}`;
    if (!this.ids.has(key)) this.ids.set(key, this.ids.size + 1);
    return Promise.resolve({ id: this.ids.get(key)!, snapshot: null });
  }
}

@Module({})
class HostModule {
  static register(simulatorUrl: string, sessionApps?: string[]): DynamicModule {
    return {
      module: HostModule,
      imports: [
        AuthModule.forRoot({
          inMemoryStore: true,
          sessionKeySecret: 'app-binding-test-secret-0123456789abcdef',
          users: new MemoryUsers(),
          wechat: { apps: [APP_A, APP_B], baseUrl: simulatorUrl },
          sessionApps,
        }),
      ],
      controllers: [OpenController, BoundRoutesController, ClassBoundController],
    };
  }
}

describe('binding routes to apps (@ForApps, sessionApps)', () => {
  let simulator: WechatSimulator;
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    simulator = await WechatSimulator.start({ port: 0, apps: [APP_A, APP_B] });
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await simulator.close();
  });

  const start = async (sessionApps?: string[]) => {
    const app = await NestFactory.create(
      HostModule.register(simulator.url, sessionApps),
      new FastifyAdapter(),
      {
        logger: false,
        abortOnError: false,
      },
    );
    apps.push(app);
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    const url = `http://127.0.0.1:${port}`;
    const login = async (appid: string) => {
      const { code } = simulator.mintLoginCode({ appid });
      const response = await http('POST', `${url}/auth/login`, { body: { code, appid } });
      expect(response.status).toBe(200);
      return response.body.token as string;
    };
    const status = async (path: string, token: string) => {
      const response = await http('GET', `${url}${path}`, { token });
      return response.status === 403 ? `403 ${response.body.code}` : response.status;
    };
    return { url, login, status };
  };

  test("app A's session: passes unbound and A-bound routes, 403 SESSION_WRONG_APP on B-bound ones", async () => {
    const { login, status } = await start();
    const a = await login(APP_A.appid);
    const b = await login(APP_B.appid);

    expect(await status('/open', a)).toBe(200);
    expect(await status('/bound/a', a)).toBe(200);
    expect(await status('/bound/both', a)).toBe(200);
    expect(await status('/bound/b', a)).toBe('403 SESSION_WRONG_APP');
    expect(await status('/class-b', a)).toBe('403 SESSION_WRONG_APP');
    expect(await status('/class-b/a', a)).toBe(200);

    expect(await status('/open', b)).toBe(200);
    expect(await status('/bound/a', b)).toBe('403 SESSION_WRONG_APP');
    expect(await status('/bound/b', b)).toBe(200);
    expect(await status('/class-b', b)).toBe(200);
    expect(await status('/class-b/a', b)).toBe('403 SESSION_WRONG_APP');
  });

  test('a refused session is still a valid one: not a failed token lookup, and it keeps working elsewhere', async () => {
    const { url, login, status } = await start();
    const a = await login(APP_A.appid);
    const refused = await http('GET', `${url}/bound/b`, { token: a });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toBeNull();
    expect(await status('/bound/a', a)).toBe(200);
  });

  test('sessionApps binds every guarded route of the service; @ForApps() overrides it', async () => {
    const { url, login, status } = await start([APP_B.appid]);
    const a = await login(APP_A.appid);
    const b = await login(APP_B.appid);

    expect(await status('/open', a)).toBe('403 SESSION_WRONG_APP');
    expect(await status('/auth/sessions', a)).toBe('403 SESSION_WRONG_APP');
    expect(await status('/bound/a', a)).toBe(200);
    expect(await status('/open', b)).toBe(200);
    // Public routes read no session: the binding does not apply to them.
    const logout = await http('POST', `${url}/auth/logout`, { token: a });
    expect(logout.status).toBe(204);
  });

  test('an empty sessionApps is refused at start-up', async () => {
    await expect(start([])).rejects.toThrow(AuthModuleOptionsError);
  });
});
