import { hash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WechatApiError, type WechatErrorKind } from '../../wechat/wechat-api.error.js';
import type { WechatCodeExchanger } from '../ports/code-exchanger.port.js';
import type { WechatIdentity } from '../ports/users.port.js';
import { sessionKeyOwner, type SessionKeyCipher } from '../session/session-key.cipher.js';
import { hashSessionToken } from '../session/session-token.js';
import { LEDGER_PENDING, type LoginCodeLedger } from './login-code.ledger.js';

/**
 * A login code WeChat accepted: who it is, and their new session_key, already sealed (AES-256-GCM):
 * the login only stores it, it never needs the plaintext. `replay` is set when this code already
 * logged in: the session that login issued, to be handed out again while it is alive.
 * @internal
 */
export interface WechatLogin {
  identity: WechatIdentity;
  sealedSessionKey: string;
  replay?: LoginReplay;
}

/**
 * The session a code's first login issued. `token` is null when the sealed token in the ledger cannot
 * be opened (another SESSION_KEY_SECRET) or does not match the hash: the replay then gets nothing.
 * @internal
 */
export interface LoginReplay {
  tokenHash: string;
  token: string | null;
}

/**
 * What the ledger keeps per code, so a repeat within the replay window gets the same answer. `session`
 * is the session the code's login issued; absent while none was (the login failed after WeChat's
 * answer: a retry may then issue one).
 */
type StoredOutcome =
  | {
      ok: true;
      openid: string;
      unionid?: string;
      sealedSessionKey: string;
      session?: { tokenHash: string; sealedToken: string };
    }
  | { ok: false; kind: WechatErrorKind; errcode?: number; rid?: string; retryAfterSeconds?: number };

const POLL_INTERVAL_MS = 25;
/** How much longer than WeChat's own timeout a waiter trusts another instance's claim. */
const PEER_CLAIM_MARGIN_MS = 2000;

/**
 * Exchanges a login code with WeChat at most once, however often and wherever it arrives, and makes
 * every arrival of one code the same login.
 *
 * Concurrent requests in this process share one promise; across instances the first claims the code
 * in the ledger (Redis `SET NX`) and the others wait for its outcome. A repeat within the replay
 * window gets the recorded outcome without calling WeChat. jscode2session is never retried: a code
 * is single-use, and a retry could only burn it (WeChat answers 40163).
 *
 * A success stays claimed until the login reports the session it issued ({@link complete}) or that it
 * failed ({@link release}); the ledger then holds that session's token, sealed, so a repeat of the code
 * is the same session and never a second one (issue 15). Why that is safe to keep for the window:
 * - whoever holds the code could have logged in with it anyway; handing out the same token gives
 *   them nothing new, and a new independent session (which survived logging out everywhere) is gone;
 * - the token is sealed with the SESSION_KEY_SECRET-derived key, bound to this code's hash, so a Redis
 *   dump or a copied entry yields no usable token; the entry lives at most the window (≤ 30 s);
 * - it is handed out only while that session is alive: once revoked, logged out or logged out
 *   everywhere, the repeat is LOGIN_CODE_USED.
 * @internal
 */
export class CodeExchangeService {
  private readonly inFlight = new Map<string, Promise<WechatLogin>>();
  /** The ledger entry of each login this service produced, for {@link complete} / {@link release}. */
  private readonly codeHashes = new WeakMap<WechatLogin, string>();
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
      // Requests sharing this promise share its login object, hence its one session (AuthService);
      // later ones read the ledger.
      const forget = () => void this.inFlight.delete(codeHash);
      pending.then(forget, forget);
    }
    return pending;
  }

  /**
   * Records the session this code's login issued, for repeats within the window. Not needed for a
   * replayed login (its entry already names its session).
   */
  async complete(login: WechatLogin, token: string, tokenHash: string): Promise<void> {
    const codeHash = this.codeHashes.get(login);
    if (codeHash === undefined || login.replay) return;
    const session = { tokenHash, sealedToken: this.cipher.seal(token, replayOwner(codeHash)) };
    await this.ledger.settle(codeHash, JSON.stringify(outcomeOf(login, session)), this.replayWindowMs);
  }

  /**
   * The login failed after WeChat's answer (database or session store down): record the answer
   * without a session, so a retry of the code within the window can still log in.
   */
  async release(login: WechatLogin): Promise<void> {
    const codeHash = this.codeHashes.get(login);
    if (codeHash === undefined || login.replay) return;
    await this.ledger.settle(codeHash, JSON.stringify(outcomeOf(login)), this.replayWindowMs);
  }

  private async exchangeOnce(appid: string, code: string, codeHash: string): Promise<WechatLogin> {
    // Claim first: a fresh code (the usual case) then costs one Redis round trip before WeChat.
    if (await this.ledger.claim(codeHash, this.claimTimeoutMs)) return this.callWechat(appid, code, codeHash);
    const deadline = Date.now() + this.claimTimeoutMs;
    for (;;) {
      const recorded = await this.ledger.read(codeHash);
      if (recorded !== null && recorded !== LEDGER_PENDING) return this.decode(appid, codeHash, recorded);
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
    // Stays claimed (pending) until complete() or release(): a repeat meanwhile waits for the session.
    this.codeHashes.set(login, codeHash);
    return login;
  }

  private decode(appid: string, codeHash: string, recorded: string): WechatLogin {
    const stored = JSON.parse(recorded) as StoredOutcome;
    if (!stored.ok) {
      const { kind, errcode, rid, retryAfterSeconds } = stored;
      throw new WechatApiError({ api: 'jscode2session', kind, errcode, rid, retryAfterSeconds });
    }
    const identity: WechatIdentity = { appid, openid: stored.openid };
    if (stored.unionid !== undefined) identity.unionid = stored.unionid;
    const login: WechatLogin = { identity, sealedSessionKey: stored.sealedSessionKey };
    if (stored.session) {
      const { tokenHash, sealedToken } = stored.session;
      const token = this.cipher.open(sealedToken, replayOwner(codeHash));
      login.replay = {
        tokenHash,
        token: token !== null && hashSessionToken(token) === tokenHash ? token : null,
      };
    }
    this.codeHashes.set(login, codeHash);
    return login;
  }
}

function outcomeOf(
  { identity, sealedSessionKey }: WechatLogin,
  session?: { tokenHash: string; sealedToken: string },
): StoredOutcome {
  const outcome: StoredOutcome = {
    ok: true,
    openid: identity.openid,
    unionid: identity.unionid,
    sealedSessionKey,
  };
  if (session) outcome.session = session;
  return outcome;
}

/** The associated data a replayed token is sealed under: usable for this one code's entry only. */
function replayOwner(codeHash: string): string {
  return `login-replay:${codeHash}`;
}
