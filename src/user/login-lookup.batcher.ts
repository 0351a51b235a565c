import type { UserRow } from './user-row.js';

/** A known identity's login: who, and when. */
export interface IdentityKey {
  appid: string;
  openid: string;
}

/** A users row found through one of its identities (`identity_appid`, `identity_openid`). */
export interface IdentityUserRow extends UserRow {
  identity_appid: string;
  identity_openid: string;
}

/** Reads the users behind these identities (distinct, in key order); identities not found are absent. */
export type LoginLookup = (keys: readonly IdentityKey[]) => Promise<IdentityUserRow[]>;

/** Identities per statement: bounds the statement's size. */
const MAX_PER_STATEMENT = 64;

interface Waiter {
  key: IdentityKey;
  resolve: (row: UserRow | null) => void;
  reject: (error: unknown) => void;
}

/**
 * The logins of known identities that reach the database during one event-loop turn leave as one
 * read (setImmediate, as the Redis batcher does); their times are written later (LastSeenRecorder). A busy server then pays MariaDB's
 * per-statement work (parse, commit, the round trip) once per batch rather than once per login: that
 * per-login database CPU was the largest cost of a login outside our process (bench/).
 *
 * A failure rejects the whole batch; the caller decides. An identity not found resolves null: the
 * caller then applies the linking rules.
 * @internal
 */
export class LoginLookupBatcher {
  private waiting: Waiter[] = [];
  private scheduled = false;

  constructor(private readonly lookupRows: LoginLookup) {}

  lookup(key: IdentityKey): Promise<UserRow | null> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ key, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const byKey = new Map<string, Waiter[]>();
    for (const waiter of this.waiting) {
      const key = keyOf(waiter.key.appid, waiter.key.openid);
      const same = byKey.get(key);
      if (same) same.push(waiter);
      else byKey.set(key, [waiter]);
    }
    this.waiting = [];
    const keys = [...byKey.keys()].sort();
    for (let start = 0; start < keys.length; start += MAX_PER_STATEMENT) {
      const groups = keys.slice(start, start + MAX_PER_STATEMENT).map((key) => byKey.get(key)!);
      void this.readGroups(groups);
    }
  };

  /** One read for these identities; each group is one identity's waiters. */
  private async readGroups(groups: Waiter[][]): Promise<void> {
    let rows: IdentityUserRow[];
    try {
      rows = await this.lookupRows(groups.map((group) => group[0].key));
    } catch (error) {
      for (const group of groups) for (const waiter of group) waiter.reject(error);
      return;
    }
    const byKey = new Map(rows.map((row) => [keyOf(row.identity_appid, row.identity_openid), row]));
    for (const group of groups) {
      const row = byKey.get(keyOf(group[0].key.appid, group[0].key.openid)) ?? null;
      for (const waiter of group) waiter.resolve(row);
    }
  }
}

function keyOf(appid: string, openid: string): string {
  return `${appid}\0${openid}`;
}
