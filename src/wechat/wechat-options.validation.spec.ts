import { describe, expect, it } from '@jest/globals';
import type { WechatModuleOptions } from './wechat-options.interface.js';
import { resolveWechatOptions, WechatOptionsError } from './wechat-options.validation.js';

const APP = { appid: 'wx0123456789abcdef', secret: '0123456789abcdef0123456789abcdef' };

function problems(options: unknown): string {
  try {
    resolveWechatOptions(options as WechatModuleOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(WechatOptionsError);
    return (error as Error).message;
  }
  throw new Error('expected WechatOptionsError');
}

describe('resolveWechatOptions', () => {
  it('applies defaults', () => {
    const resolved = resolveWechatOptions({ apps: [APP] });
    expect(resolved).toMatchObject({
      defaultAppid: APP.appid,
      baseUrl: 'https://api.weixin.qq.com',
      timeoutMs: 5000,
      redisKeyPrefix: 'wxauth:',
    });
    expect(resolved.apps.get(APP.appid)).toEqual(APP);
  });

  it('keeps the first app as default', () => {
    const second = { appid: 'wxfedcba9876543210', secret: 's2' };
    expect(resolveWechatOptions({ apps: [second, APP] }).defaultAppid).toBe(second.appid);
  });

  it('requires at least one app', () => {
    expect(problems({ apps: [] })).toContain('apps must list at least one');
    expect(problems({})).toContain('apps must list at least one');
    expect(problems(undefined)).toContain('options are missing');
  });

  it('checks appid shape, duplicates and secrets without echoing values', () => {
    const message = problems({
      apps: [
        { appid: 'c4na7ysecretvalue0123456789abcdef', secret: 'wx0123456789abcdef' },
        { appid: 'wx0123456789ABCDEF', secret: '' },
        APP,
        APP,
        { appid: 'wxfedcba9876543210', secret: ' padded\n' },
        null,
      ],
    });
    expect(message).toContain('apps[0].appid must be "wx" followed by 16 lowercase hex characters');
    expect(message).toContain('apps[1].appid must be');
    expect(message).toContain('apps[1].secret must be a non-empty string');
    expect(message).toContain('apps[3].appid is listed twice');
    expect(message).toContain('apps[4].secret has leading or trailing whitespace');
    expect(message).toContain('apps[5].appid');
    expect(message).not.toContain('c4na7y');
    expect(message).not.toContain(APP.secret);
  });

  it('checks baseUrl, timeouts, redis and logger', () => {
    expect(problems({ apps: [APP], baseUrl: 'not a url' })).toContain(
      'baseUrl must be an absolute http(s) URL',
    );
    expect(problems({ apps: [APP], baseUrl: 'ftp://x' })).toContain('baseUrl must use http or https');
    expect(problems({ apps: [APP], baseUrl: 'https://u:p@x/?a=1' })).toContain('must not carry a query');
    expect(problems({ apps: [APP], timeoutMs: 0 })).toContain('timeoutMs');
    expect(problems({ apps: [APP], timeoutMs: 1.5 })).toContain('timeoutMs');
    expect(problems({ apps: [APP], connectTimeoutMs: -1 })).toContain('connectTimeoutMs');
    expect(problems({ apps: [APP], redis: {} })).toContain('redis must be an ioredis');
    expect(problems({ apps: [APP], logger: { log: 1 } })).toContain('logger must implement LoggerService');
  });
});
