import { hash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WechatApiError, type WechatErrorKind } from '../../wechat/wechat-api.error.js';
import type { WechatClient } from '../../wechat/wechat.client.js';
import { sessionKeyOwner, type SessionKeyCipher } from '../session/session-key.cipher.js';
import { LEDGER_PENDING, type LoginCodeLedger } from './login-code.ledger.js';

/**
 * What one code exchange produced, shared by every request that sent the same code. A success
 * comes back as soon as WeChat answered: `recorded` settles when the ledger holds the outcome
 * (the login awaits it next to its user upsert, and fails with the ledger).
 * @internal
 */
export type ExchangeOutcome =
  (ExchangeSuccess & { recorded: Promise<void> }) | { ok: false; error: WechatApiError };

/** The session_key arrives sealed (AES-256-GCM): the login only stores it, it never needs the plaintext. */
export interface ExchangeSuccess {
  ok: true;
  openid: string;
  unionid?: string;
  sealedSessionKey: string;
}

const ALREADY_RECORDED = Promise.resolve();

type StoredOutcome =
  | ExchangeSuccess
  | { ok: false; kind: WechatErrorKind; errcode?: number; rid?: string; retryAfterSeconds?: number };

const POLL_INTERVAL_MS = 25;

/**
 * Exchanges a login code with WeChat at most once, however often and wherever it arrives.
 *
 * Concurrent requests in this process share one promise; across instances the first claims the code
 * in the ledger (Redis `SET NX`) and the others wait for its outcome. A repeat within the replay
 * window gets the recorded outcome without calling WeChat. jscode2session is never retried: a code
 * is single-use, and a retry could only burn it (WeChat answers 40163).
 * @internal
 */
export class CodeExchangeService {
  private readonly inFlight = new Map<string, Promise<ExchangeOutcome>>();

  constructor(
    private readonly wechat: WechatClient,
    private readonly ledger: LoginCodeLedger,
    private readonly cipher: SessionKeyCipher,
    private readonly replayWindowMs: number,
    /** How long a waiter trusts another instance's claim: WeChat's timeout plus a margin. */
    private readonly claimTimeoutMs: number,
  ) {}

  exchange(appid: string, code: string): Promise<ExchangeOutcome> {
    const codeHash = hash('sha256', `${appid}\0${code}`, 'base64url');
    let pending = this.inFlight.get(codeHash);
    if (!pending) {
      pending = this.exchangeOnce(appid, code, codeHash);
      this.inFlight.set(codeHash, pending);
      // Shared until the ledger has the outcome: a repeat arriving meanwhile need not poll for it.
      const forget = () => void this.inFlight.delete(codeHash);
      pending.then((outcome) => (outcome.ok ? outcome.recorded : undefined)).then(forget, forget);
    }
    return pending;
  }

  private async exchangeOnce(appid: string, code: string, codeHash: string): Promise<ExchangeOutcome> {
    // Claim first: a fresh code (the usual case) then costs one Redis round trip before WeChat.
    if (await this.ledger.claim(codeHash, this.claimTimeoutMs)) return this.callWechat(appid, code, codeHash);
    const deadline = Date.now() + this.claimTimeoutMs;
    for (;;) {
      const recorded = await this.ledger.read(codeHash);
      if (recorded !== null && recorded !== LEDGER_PENDING) return this.decode(recorded);
      // The entry expired between our claim attempt and this read: the code is free again.
      if (recorded === null && (await this.ledger.claim(codeHash, this.claimTimeoutMs))) {
        return this.callWechat(appid, code, codeHash);
      }
      if (Date.now() >= deadline) {
        // The instance holding the claim never reported back (crashed or partitioned).
        return {
          ok: false,
          error: new WechatApiError({ api: 'jscode2session', kind: 'TIMEOUT', detail: 'peer exchange' }),
        };
      }
      await sleep(POLL_INTERVAL_MS);
    }
  }

  private async callWechat(appid: string, code: string, codeHash: string): Promise<ExchangeOutcome> {
    let success: ExchangeSuccess;
    try {
      const session = await this.wechat.code2Session(appid, code);
      success = {
        ok: true,
        openid: session.openid,
        unionid: session.unionid,
        sealedSessionKey: this.cipher.seal(session.sessionKey, sessionKeyOwner(appid)),
      };
    } catch (error) {
      if (!(error instanceof WechatApiError)) throw error;
      const stored: StoredOutcome = {
        ok: false,
        kind: error.kind,
        errcode: error.errcode,
        rid: error.rid,
        retryAfterSeconds: error.retryAfterSeconds,
      };
      await this.ledger.settle(codeHash, JSON.stringify(stored), this.replayWindowMs);
      return { ok: false, error };
    }
    const recorded = this.ledger.settle(codeHash, JSON.stringify(success), this.replayWindowMs);
    // Whoever awaits the outcome handles a failure; this only keeps an unawaited one quiet.
    recorded.catch(() => undefined);
    return { ...success, recorded };
  }

  private decode(recorded: string): ExchangeOutcome {
    const stored = JSON.parse(recorded) as StoredOutcome;
    if (!stored.ok) {
      const { kind, errcode, rid, retryAfterSeconds } = stored;
      return {
        ok: false,
        error: new WechatApiError({ api: 'jscode2session', kind, errcode, rid, retryAfterSeconds }),
      };
    }
    return { ...stored, recorded: ALREADY_RECORDED };
  }
}
