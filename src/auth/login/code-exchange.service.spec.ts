import { describe, expect, test } from '@jest/globals';
import { WechatApiError } from '../../wechat/wechat-api.error.js';
import type { WechatCodeExchanger, WechatCodeSession } from '../ports/code-exchanger.port.js';
import { SessionKeyCipher } from '../session/session-key.cipher.js';
import { CodeExchangeService } from './code-exchange.service.js';
import { MemoryLoginCodeLedger } from './login-code.ledger.js';

const APPID = 'wx0123456789abcdef';

/** A WeChat stand-in at the port: counts calls, answers what it is told. */
class FakeExchanger implements WechatCodeExchanger {
  readonly defaultAppid = APPID;
  calls = 0;
  constructor(
    readonly code2SessionTimeoutMs: number,
    private readonly answer: () => Promise<WechatCodeSession>,
  ) {}
  hasApp(appid: string): boolean {
    return appid === APPID;
  }
  code2Session(): Promise<WechatCodeSession> {
    this.calls++;
    return this.answer();
  }
}

/** The in-memory ledger, recording how long each claim is held for. */
class RecordingLedger extends MemoryLoginCodeLedger {
  claimTtls: number[] = [];
  override claim(codeHash: string, ttlMs: number): Promise<boolean> {
    this.claimTtls.push(ttlMs);
    return super.claim(codeHash, ttlMs);
  }
}

const service = (exchanger: FakeExchanger, ledger = new RecordingLedger()) =>
  new CodeExchangeService(exchanger, ledger, new SessionKeyCipher('c'.repeat(32)), 30_000);

describe('CodeExchangeService', () => {
  test('holds a claim for the WeChat client’s own timeout plus a margin (a 60 s client waits 62 s, not 7)', async () => {
    const ledger = new RecordingLedger();
    const exchanger = new FakeExchanger(60_000, async () => ({ openid: 'oA', sessionKey: 'k'.repeat(24) }));
    await service(exchanger, ledger).exchange(APPID, 'code-1');
    expect(ledger.claimTtls).toEqual([62_000]);
  });

  test('one code, many requests: WeChat is asked once, every request gets the same identity', async () => {
    const exchanger = new FakeExchanger(5000, async () => ({
      openid: 'oA',
      unionid: 'uA',
      sessionKey: 'k'.repeat(24),
    }));
    const exchange = service(exchanger);
    const logins = await Promise.all([1, 2, 3].map(() => exchange.exchange(APPID, 'code-2')));
    expect(exchanger.calls).toBe(1);
    for (const login of logins) {
      expect(login.identity).toEqual({ appid: APPID, openid: 'oA', unionid: 'uA' });
      expect(login.sealedSessionKey).not.toContain('k'.repeat(24));
      await expect(exchange.recorded(login)).resolves.toBeUndefined();
    }
    // A repeat after the first exchange settled is answered from the ledger, still without WeChat.
    expect((await exchange.exchange(APPID, 'code-2')).identity.openid).toBe('oA');
    expect(exchanger.calls).toBe(1);
  });

  test('a refusal is remembered too: the repeat gets WeChat’s same answer without a second call', async () => {
    const exchanger = new FakeExchanger(5000, () =>
      Promise.reject(new WechatApiError({ api: 'jscode2session', kind: 'CODE_INVALID', errcode: 40029 })),
    );
    const exchange = service(exchanger);
    await expect(exchange.exchange(APPID, 'bad')).rejects.toMatchObject({
      kind: 'CODE_INVALID',
      errcode: 40029,
    });
    await expect(exchange.exchange(APPID, 'bad')).rejects.toMatchObject({
      kind: 'CODE_INVALID',
      errcode: 40029,
    });
    expect(exchanger.calls).toBe(1);
  });
});
