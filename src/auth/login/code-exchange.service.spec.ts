import { describe, expect, test } from '@jest/globals';
import { WechatApiError } from '../../wechat/wechat-api.error.js';
import type { WechatCodeExchanger, WechatCodeSession } from '../ports/code-exchanger.port.js';
import { SessionKeyCipher } from '../session/session-key.cipher.js';
import { hashSessionToken } from '../session/session-token.js';
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
    }
    expect(new Set(logins).size).toBe(1);
    // Once the login recorded its session, a repeat is answered from the ledger, still without
    // WeChat, and names that same session (issue 15: never a second, independent one).
    const token = 'T'.repeat(43);
    await exchange.complete(logins[0], token, hashSessionToken(token));
    const repeat = await exchange.exchange(APPID, 'code-2');
    expect(repeat.identity.openid).toBe('oA');
    expect(repeat.replay).toEqual({ tokenHash: hashSessionToken(token), token });
    expect(exchanger.calls).toBe(1);
  });

  test('the ledger keeps the replayed token sealed to its code, never in clear', async () => {
    const ledger = new RecordingLedger();
    const exchanger = new FakeExchanger(5000, async () => ({ openid: 'oB', sessionKey: 'k'.repeat(24) }));
    const exchange = service(exchanger, ledger);
    const token = 'S'.repeat(43);
    await exchange.complete(await exchange.exchange(APPID, 'code-4'), token, hashSessionToken(token));
    const [entry] = [...(ledger as unknown as { entries: Map<string, { value: string }> }).entries.values()];
    expect(entry.value).not.toContain(token);
    // Under another secret (or moved to another code's entry) it opens to nothing: the replay gets no token.
    const other = new CodeExchangeService(exchanger, ledger, new SessionKeyCipher('d'.repeat(32)), 30_000);
    expect((await other.exchange(APPID, 'code-4')).replay).toEqual({
      tokenHash: hashSessionToken(token),
      token: null,
    });
  });

  test('a login that failed after WeChat answered leaves the code usable for a retry', async () => {
    const exchanger = new FakeExchanger(5000, async () => ({ openid: 'oC', sessionKey: 'k'.repeat(24) }));
    const exchange = service(exchanger);
    await exchange.release(await exchange.exchange(APPID, 'code-5'));
    const retry = await exchange.exchange(APPID, 'code-5');
    expect(retry.identity.openid).toBe('oC');
    expect(retry.replay).toBeUndefined();
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
