import { hash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WechatApiError, type WechatErrorKind } from '../../wechat/wechat-api.error.js';
import type { WechatCodeExchanger } from '../ports/code-exchanger.port.js';
import type { WechatIdentity } from '../ports/users.port.js';
import { sessionKeyOwner, type SessionKeyCipher } from '../session/session-key.cipher.js';
import { LEDGER_PENDING, type LoginCodeLedger } from './login-code.ledger.js';

/**
 * A login code WeChat accepted: who it is, and their new session_key, already sealed (AES-256-GCM):
 * the login only stores it, it never needs the plaintext.
 * @internal
 */
export interface WechatLogin {
  identity: WechatIdentity;
  sealedSessionKey: string;
}

/** What the ledger keeps per code, so a repeat within the replay window gets the same answer. */
type StoredOutcome =
  | { ok: true; openid: string; unionid?: string; sealedSessionKey: string }
  | { ok: false; kind: WechatErrorKind; errcode?: number; rid?: string; retryAfterSeconds?: number };

const POLL_INTERVAL_MS = 25;
/** How much longer than WeChat's own timeout a waiter trusts another instance's claim. */
const PEER_CLAIM_MARGIN_MS = 2000;
const ALREADY_RECORDED = Promise.resolve();

/**
 * Exchanges a login code with WeChat at most once, however often and wherever it arrives.
 *
 * Concurrent requests in this process share one promise; across instances the first claims the code
 * in the ledger (Redis `SET NX`) and the others wait for its outcome. A repeat within the replay
 * window gets the recorded outcome without calling WeChat. jscode2session is never retried: a code
 * is single-use, and a retry could only burn it (WeChat answers 40163).
 *
 * A success is returned as soon as WeChat answered; the ledger write goes on meanwhile and
 * {@link recorded} says when it is done (the login awaits it next to its user upsert, and fails with
 * the ledger).
 * @internal
 */
export class CodeExchangeService {
  private readonly inFlight = new Map<string, Promise<WechatLogin>>();
  private readonly ledgerWrites = new WeakMap<WechatLogin, Promise<void>>();
  /** How long a waiter trusts another instance's claim: WeChat's timeout plus a margin. */
  private readonly claimTimeoutMs: number;

  constructor(
    private readonly wechat: WechatCodeExchanger,
    private readonly ledger: LoginCodeLedger,
    private readonly cipher: SessionKeyCipher,
    private readonly replayWindowMs: number,
  ) {
    this.claimTimeoutMs = wechat.code2SessionTimeoutMs + PEER_CLAIM_MARGIN_MS;
  }

  /**
   * The login behind `code`, or a rejection with WeChat's {@link WechatApiError} (or the ledger's
   * SessionStoreUnavailableError).
   */
  exchange(appid: string, code: string): Promise<WechatLogin> {
    const codeHash = hash('sha256', `${appid}\0${code}`, 'base64url');
    let pending = this.inFlight.get(codeHash);
    if (!pending) {
      pending = this.exchangeOnce(appid, code, codeHash);
      this.inFlight.set(codeHash, pending);
      // Shared until the ledger has the outcome: a repeat arriving meanwhile need not poll for it.
      const forget = () => void this.inFlight.delete(codeHash);
      pending.then((login) => this.recorded(login)).then(forget, forget);
    }
    return pending;
  }

  /** Settles once the ledger holds this login's outcome; rejects if it could not be recorded. */
  recorded(login: WechatLogin): Promise<void> {
    return this.ledgerWrites.get(login) ?? ALREADY_RECORDED;
  }

  private async exchangeOnce(appid: string, code: string, codeHash: string): Promise<WechatLogin> {
    // Claim first: a fresh code (the usual case) then costs one Redis round trip before WeChat.
    if (await this.ledger.claim(codeHash, this.claimTimeoutMs)) return this.callWechat(appid, code, codeHash);
    const deadline = Date.now() + this.claimTimeoutMs;
    for (;;) {
      const recorded = await this.ledger.read(codeHash);
      if (recorded !== null && recorded !== LEDGER_PENDING) return decode(appid, recorded);
      // The entry expired between our claim attempt and this read: the code is free again.
      if (recorded === null && (await this.ledger.claim(codeHash, this.claimTimeoutMs))) {
        return this.callWechat(appid, code, codeHash);
      }
      if (Date.now() >= deadline) {
        // The instance holding the claim never reported back (crashed or partitioned).
        throw new WechatApiError({ api: 'jscode2session', kind: 'TIMEOUT', detail: 'peer exchange' });
      }
      await sleep(POLL_INTERVAL_MS);
    }
  }

  private async callWechat(appid: string, code: string, codeHash: string): Promise<WechatLogin> {
    let login: WechatLogin;
    try {
      const session = await this.wechat.code2Session(appid, code);
      const identity: WechatIdentity = { appid, openid: session.openid };
      if (session.unionid !== undefined) identity.unionid = session.unionid;
      login = { identity, sealedSessionKey: this.cipher.seal(session.sessionKey, sessionKeyOwner(appid)) };
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
      throw error;
    }
    const { openid, unionid } = login.identity;
    const stored: StoredOutcome = { ok: true, openid, unionid, sealedSessionKey: login.sealedSessionKey };
    const write = this.ledger.settle(codeHash, JSON.stringify(stored), this.replayWindowMs);
    // Whoever awaits recorded() handles a failure; this only keeps an unawaited one quiet.
    write.catch(() => undefined);
    this.ledgerWrites.set(login, write);
    return login;
  }
}

function decode(appid: string, recorded: string): WechatLogin {
  const stored = JSON.parse(recorded) as StoredOutcome;
  if (!stored.ok) {
    const { kind, errcode, rid, retryAfterSeconds } = stored;
    throw new WechatApiError({ api: 'jscode2session', kind, errcode, rid, retryAfterSeconds });
  }
  const identity: WechatIdentity = { appid, openid: stored.openid };
  if (stored.unionid !== undefined) identity.unionid = stored.unionid;
  return { identity, sealedSessionKey: stored.sealedSessionKey };
}
