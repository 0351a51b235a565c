import type { UserRow } from './user-row.js';

/** One login's write: create the user or record the login (a null unionid never clears a stored one). */
export interface LoginWrite {
  appid: string;
  openid: string;
  unionid: string | null;
  at: Date;
}

/** Writes the given logins (distinct users, in key order) and returns their rows, in any order. */
export type LoginWriter = (writes: readonly LoginWrite[]) => Promise<UserRow[]>;

/** Rows per statement: bounds the statement's size and how long it holds its row locks. */
const MAX_PER_STATEMENT = 64;

interface Waiter {
  write: LoginWrite;
  resolve: (row: UserRow) => void;
  reject: (error: unknown) => void;
}

/**
 * Logins that reach the database during one event-loop turn leave as one multi-row upsert
 * (setImmediate, as the Redis batcher does). A busy server then pays MariaDB's per-statement work
 * (parse, commit, the round trip) once per batch rather than once per login: measured, that per-login
 * database CPU was the largest cost of a login outside our process (bench/).
 *
 * Two logins of the same user in one batch share one row. Rows are written in key order, so two
 * instances' batches lock the unique index in the same order (no deadlock between them). When the
 * database refuses a statement of several rows for something in the rows (`isRowError`), each login
 * is retried alone, so one bad row fails only its own login; any other failure (a lock conflict, a
 * lost connection) rejects the whole batch, and the caller decides (UsersService.upsertLogin retries
 * lock conflicts).
 * @internal
 */
export class LoginUpsertBatcher {
  private waiting: Waiter[] = [];
  private scheduled = false;

  constructor(
    private readonly writeRows: LoginWriter,
    private readonly isRowError: (error: unknown) => boolean,
  ) {}

  upsert(write: LoginWrite): Promise<UserRow> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ write, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const byUser = new Map<string, Waiter[]>();
    for (const waiter of this.waiting) {
      const key = userKey(waiter.write.appid, waiter.write.openid);
      const same = byUser.get(key);
      if (same) same.push(waiter);
      else byUser.set(key, [waiter]);
    }
    this.waiting = [];
    const keys = [...byUser.keys()].sort();
    for (let start = 0; start < keys.length; start += MAX_PER_STATEMENT) {
      const groups = keys.slice(start, start + MAX_PER_STATEMENT).map((key) => byUser.get(key)!);
      void this.writeGroups(groups);
    }
  };

  /** One statement for these users; each group is one user's waiters, in arrival order. */
  private async writeGroups(groups: Waiter[][]): Promise<void> {
    const writes = groups.map(mergeWrites);
    let rows: UserRow[];
    try {
      rows = await this.writeRows(writes);
    } catch (error) {
      if (groups.length === 1 || !this.isRowError(error)) {
        for (const group of groups) for (const waiter of group) waiter.reject(error);
        return;
      }
      // Find the bad row: every user alone.
      await Promise.all(groups.map((group) => this.writeGroups([group])));
      return;
    }
    const byUser = new Map(rows.map((row) => [userKey(row.appid, row.openid), row]));
    for (const group of groups) {
      const { appid, openid } = group[0].write;
      const row = byUser.get(userKey(appid, openid));
      for (const waiter of group) {
        if (row) waiter.resolve(row);
        else waiter.reject(new Error('the upsert returned no row for this user'));
      }
    }
  }
}

function userKey(appid: string, openid: string): string {
  return `${appid}\0${openid}`;
}

/** One user's logins of one batch as one write: the latest time, the latest unionid WeChat gave. */
function mergeWrites(group: Waiter[]): LoginWrite {
  if (group.length === 1) return group[0].write;
  let merged = group[0].write;
  for (const { write } of group.slice(1)) {
    merged = {
      ...merged,
      unionid: write.unionid ?? merged.unionid,
      at: write.at > merged.at ? write.at : merged.at,
    };
  }
  return merged;
}
