import type { SimulatorClock } from './simulator-clock.js';
import type {
  MintedLoginCode,
  MintedPhoneCode,
  MintLoginCodeInput,
  MintPhoneCodeInput,
} from './simulator-control.types.js';
import { SimulatorInputError } from './simulator-input.js';
import {
  derivePersonOpenid,
  derivePersonUnionid,
  deriveUnionid,
  type SimulatorRandom,
} from './simulator-random.js';
import type { ResolvedSimulatorOptions, SimulatorApp } from './wechat-simulator.options.js';

/** Login and phone codes live 5 minutes (docs/wechat-api-notes.md §2, §6). */
export const CODE_TTL_MS = 300_000;
const PRUNE_EVERY = 1024;

const DEFAULT_SENSITIVE_LABEL = 20001;

/** @internal */
export interface SensitiveWord {
  word: string;
  label: number;
}

/** @internal */
export interface SessionKeyRecord {
  key: string;
  issuedAt: number;
  expiresAt: number;
}

/** @internal */
export interface SimulatedUser {
  appid: string;
  openid: string;
  unionid?: string;
  riskBlocked: boolean;
  sessionKey?: SessionKeyRecord;
}

/** @internal A wx.login code; it carries the session_key that was current when it was issued. */
export interface LoginCodeRecord {
  appid: string;
  openid: string;
  sessionKey: string;
  expiresAt: number;
  used: boolean;
}

/** @internal */
export interface PhoneCodeRecord {
  appid: string;
  openid: string;
  phoneNumber: string;
  countryCode: string;
  expiresAt: number;
  used: boolean;
}

/**
 * Apps, users, session keys and codes. Exactly one session_key per (appid, openid) exists at a time.
 *
 * @internal
 */
export class SimulatorState {
  readonly apps = new Map<string, SimulatorApp>();
  readonly loginCodes = new Map<string, LoginCodeRecord>();
  readonly phoneCodes = new Map<string, PhoneCodeRecord>();
  /** Successful getuserphonenumber calls per appid: each one is billed by WeChat. */
  readonly billablePhoneCalls = new Map<string, number>();
  sensitiveWords: SensitiveWord[] = [];
  private readonly users = new Map<string, SimulatedUser>();
  private readonly loginCalls = new Map<string, number[]>();
  private mints = 0;

  constructor(
    private readonly options: ResolvedSimulatorOptions,
    private readonly clock: SimulatorClock,
    private readonly random: SimulatorRandom,
  ) {
    this.reset();
  }

  reset(): void {
    this.apps.clear();
    for (const app of this.options.apps) this.apps.set(app.appid, { ...app });
    this.users.clear();
    this.loginCodes.clear();
    this.phoneCodes.clear();
    this.billablePhoneCalls.clear();
    this.loginCalls.clear();
    this.setSensitiveWords(this.options.sensitiveWords);
  }

  /** msg_sec_check words; all share one label (default 20001, politics). Replaces the previous list. */
  setSensitiveWords(words: string[], label = DEFAULT_SENSITIVE_LABEL): void {
    this.sensitiveWords = words.map((word) => ({ word, label }));
  }

  /**
   * Idempotent for an identical app; a different secret or platform for a known appid is a conflict.
   * One change is allowed, as on WeChat: an app without an Open Platform account binds to one later,
   * and from then on its users (existing ones included) come with a unionid.
   */
  registerApp(app: SimulatorApp): void {
    const known = this.apps.get(app.appid);
    const bindsLater = known !== undefined && known.openPlatformId === undefined;
    const differs = (a: SimulatorApp, b: SimulatorApp) =>
      a.secret !== b.secret ||
      (a.openPlatformId !== b.openPlatformId && !bindsLater) ||
      (a.kind ?? 'mini_program') !== (b.kind ?? 'mini_program') ||
      JSON.stringify(a.redirectDomains ?? []) !== JSON.stringify(b.redirectDomains ?? []);
    if (known && differs(known, app)) {
      throw new SimulatorInputError(`app ${app.appid} is already registered differently`, 409);
    }
    this.apps.set(app.appid, { ...app });
  }

  requireApp(appid: string): SimulatorApp {
    const app = this.apps.get(appid);
    if (!app) throw new SimulatorInputError(`unknown appid ${appid}`, 404);
    return app;
  }

  user(appid: string, openid: string): SimulatedUser | undefined {
    return this.users.get(`${appid}\n${openid}`);
  }

  /** True when `openid` is a user of some app other than `appid` (a token of the wrong app). */
  belongsToOtherApp(appid: string, openid: string): boolean {
    for (const app of this.apps.keys()) if (app !== appid && this.user(app, openid)) return true;
    return false;
  }

  /** The session_key if it exists and has not expired. */
  validSessionKey(user: SimulatedUser): SessionKeyRecord | undefined {
    const record = user.sessionKey;
    return record && record.expiresAt > this.clock.now() ? record : undefined;
  }

  /** resetusersessionkey: a new key that inherits the old expiry (docs/wechat-api-notes.md §4). */
  replaceSessionKey(user: SimulatedUser): SessionKeyRecord {
    const old = user.sessionKey!;
    user.sessionKey = { key: this.random.sessionKey(), issuedAt: this.clock.now(), expiresAt: old.expiresAt };
    return user.sessionKey;
  }

  mintLoginCode(input: MintLoginCodeInput): MintedLoginCode {
    const app = this.requireApp(input.appid);
    const user = this.chooseUser(app, input);
    if (input.riskBlocked !== undefined) user.riskBlocked = input.riskBlocked;
    this.rotateSessionKey(user);
    const code = this.random.loginCode();
    this.loginCodes.set(code, {
      appid: app.appid,
      openid: user.openid,
      sessionKey: user.sessionKey!.key,
      expiresAt: this.clock.now() + CODE_TTL_MS,
      used: false,
    });
    this.pruneCodes();
    return user.unionid
      ? { code, openid: user.openid, unionid: user.unionid }
      : { code, openid: user.openid };
  }

  mintPhoneCode(input: MintPhoneCodeInput): MintedPhoneCode {
    const app = this.requireApp(input.appid);
    this.upsertUser(app, input.openid, undefined);
    const code = this.random.phoneCode();
    this.phoneCodes.set(code, {
      appid: app.appid,
      openid: input.openid,
      phoneNumber: input.phoneNumber,
      countryCode: input.countryCode ?? '86',
      expiresAt: this.clock.now() + CODE_TTL_MS,
      used: false,
    });
    this.pruneCodes();
    return { code };
  }

  /**
   * Counts one jscode2session exchange against `loginRateLimit`; false when over the limit
   * (sliding 60 s window on the simulator clock).
   */
  takeLoginSlot(appid: string, openid: string): boolean {
    const limit = this.options.loginRateLimit;
    if (!limit) return true;
    const key = limit.scope === 'appid' ? appid : `${appid}\n${openid}`;
    const now = this.clock.now();
    const recent = (this.loginCalls.get(key) ?? []).filter((at) => at > now - 60_000);
    if (recent.length >= limit.perMinute) {
      this.loginCalls.set(key, recent);
      return false;
    }
    recent.push(now);
    this.loginCalls.set(key, recent);
    return true;
  }

  /**
   * The user a test asked for: a chosen `openid`, a `person` (openid derived per app, unionid per Open
   * Platform account, so one person has one unionid across apps), or a new random user.
   */
  chooseUser(
    app: SimulatorApp,
    input: { openid?: string; person?: string; unionid?: string },
  ): SimulatedUser {
    if (input.person === undefined)
      return this.upsertUser(app, input.openid ?? this.random.openid(), input.unionid);
    if (input.openid !== undefined) throw new SimulatorInputError('give openid or person, not both');
    const unionid =
      input.unionid ??
      (app.openPlatformId ? derivePersonUnionid(app.openPlatformId, input.person) : undefined);
    return this.upsertUser(app, derivePersonOpenid(app.appid, input.person), unionid);
  }

  upsertUser(app: SimulatorApp, openid: string, unionid: string | undefined): SimulatedUser {
    if (unionid !== undefined && !app.openPlatformId) {
      throw new SimulatorInputError(`app ${app.appid} has no openPlatformId, so its users have no unionid`);
    }
    const existing = this.user(app.appid, openid);
    if (existing) {
      if (existing.unionid === undefined && app.openPlatformId) {
        // The app was bound to an Open Platform account after this user first logged in.
        existing.unionid = unionid ?? deriveUnionid(app.openPlatformId, app.appid, openid);
      }
      if (unionid !== undefined && unionid !== existing.unionid) {
        throw new SimulatorInputError(`user ${openid} already has unionid ${existing.unionid}`, 409);
      }
      return existing;
    }
    const user: SimulatedUser = {
      appid: app.appid,
      openid,
      unionid: app.openPlatformId
        ? (unionid ?? deriveUnionid(app.openPlatformId, app.appid, openid))
        : undefined,
      riskBlocked: false,
    };
    this.users.set(`${app.appid}\n${openid}`, user);
    return user;
  }

  private rotateSessionKey(user: SimulatedUser): void {
    const now = this.clock.now();
    const current = this.validSessionKey(user);
    const policy = this.options.sessionKeyRotation;
    const keep =
      current !== undefined &&
      (policy === 'never' ||
        (typeof policy === 'object' && now - current.issuedAt < policy.minIntervalSeconds * 1000));
    if (keep) return;
    user.sessionKey = {
      key: this.random.sessionKey(),
      issuedAt: now,
      expiresAt: now + this.options.sessionKeyTtlSeconds * 1000,
    };
  }

  /** Forgets codes long past expiry, so a benchmark minting millions does not grow without bound. */
  private pruneCodes(): void {
    if (++this.mints % PRUNE_EVERY !== 0) return;
    const horizon = this.clock.now() - CODE_TTL_MS;
    for (const map of [this.loginCodes, this.phoneCodes] as Map<string, { expiresAt: number }>[]) {
      for (const [code, record] of map) if (record.expiresAt < horizon) map.delete(code);
    }
  }
}
