import type { Cluster, Redis } from 'ioredis';
import { SessionStoreUnavailableError } from '../errors/session-store-unavailable.error.js';
import { withDeadline } from '../../redis/deadline.js';
import { RedisBatcher } from '../../redis/redis-batcher.js';
import { SessionStore, type SessionRecord, type StoredSession, type UserSnapshot } from './session.store.js';

const ADD_TO_INDEX = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
return 1
`;

/** ADD_TO_INDEX plus the user's new sealed session_key (KEYS[2], same hash tag, so same slot). */
const ADD_TO_INDEX_WITH_SESSION_KEY = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
redis.call('SET', KEYS[2], ARGV[4], 'PXAT', ARGV[5])
return 1
`;

/**
 * Sessions in Redis (or Redis Cluster). Layout, under the configured prefix:
 * - `session:{<tokenHash>}`: the JSON record, expiring a little after the session does;
 * - `user:{<appid>:<userId>}:sessions`: hash of session id → token hash, for listing and revoking;
 * - `user:{<appid>:<userId>}:session-key`: the sealed latest session_key.
 * Braces are Cluster hash tags: a user's keys share a slot, so MULTI over them is allowed. The guard's
 * lookup is a single GET of one key. The token hash, not the appid, addresses a session because a
 * bearer token says nothing about its app; the record carries the appid.
 * @publicApi
 */
export class RedisSessionStore extends SessionStore {
  /** The hot commands (the guard's lookup, a login's writes), batched per event-loop turn. */
  private readonly batch: RedisBatcher;

  /** `batcher`: share one with the other users of this client (the auth module passes its own). */
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix = 'wxauth:',
    batcher: RedisBatcher = new RedisBatcher(redis),
  ) {
    super();
    this.batch = batcher;
  }

  async create(session: StoredSession, retainUntil: number): Promise<void> {
    await this.writeSession(session, retainUntil);
  }

  /**
   * As create(), with the user's new sealed session_key stored by the same index script, so the key
   * is saved exactly when the session is listed. A failure fails the login, whose token then never
   * reaches the client.
   */
  override async createWithSessionKey(
    session: StoredSession,
    retainUntil: number,
    sessionKey: { sealed: string; retainUntil: number },
  ): Promise<void> {
    await this.writeSession(session, retainUntil, sessionKey);
  }

  /**
   * The record and the index update in one pipelined batch; the index update is one atomic script
   * rather than MULTI/HSET/PEXPIREAT/EXEC (four commands). Sessions of one user share the absolute
   * TTL, so the newest session retains the index longest.
   */
  private async writeSession(
    { tokenHash, record }: StoredSession,
    retainUntil: number,
    sessionKey?: { sealed: string; retainUntil: number },
  ): Promise<void> {
    const index = this.indexKey(record.appid, record.userId);
    const indexUpdate = sessionKey
      ? [
          ADD_TO_INDEX_WITH_SESSION_KEY,
          2,
          index,
          this.userKey(record.appid, record.userId, 'session-key'),
          record.id,
          tokenHash,
          retainUntil,
          sessionKey.sealed,
          sessionKey.retainUntil,
        ]
      : [ADD_TO_INDEX, 1, index, record.id, tokenHash, retainUntil];
    await this.run('create', () =>
      Promise.all([
        this.batch.call('set', [this.sessionKey(tokenHash), JSON.stringify(record), 'PXAT', retainUntil]),
        this.batch.call('eval', indexUpdate),
      ]),
    );
  }

  find(tokenHash: string): Promise<SessionRecord | null> {
    // Plain promise chaining rather than run(): this is the one store call of every guarded request,
    // and each async layer costs a promise.
    const unavailable = (error: unknown): never => {
      throw new SessionStoreUnavailableError('find', { cause: error });
    };
    return withDeadline(this.batch.get(this.sessionKey(tokenHash))).then((json) => {
      try {
        return parseRecord(json);
      } catch (error) {
        return unavailable(error);
      }
    }, unavailable);
  }

  async touch(tokenHash: string, record: SessionRecord, retainUntil: number): Promise<void> {
    // XX: a session revoked since it was read stays revoked.
    await this.run('touch', () =>
      this.redis.set(this.sessionKey(tokenHash), JSON.stringify(record), 'PXAT', retainUntil, 'XX'),
    );
  }

  listForUser(appid: string, userId: number): Promise<StoredSession[]> {
    return this.run('list', async () => {
      const index = this.indexKey(appid, userId);
      const entries = Object.entries(await this.redis.hgetall(index));
      const records = await Promise.all(entries.map(([, hash]) => this.redis.get(this.sessionKey(hash))));
      const sessions: StoredSession[] = [];
      const forgotten: string[] = [];
      entries.forEach(([sessionId, tokenHash], i) => {
        const record = parseRecord(records[i]);
        if (record) sessions.push({ tokenHash, record });
        else forgotten.push(sessionId);
      });
      if (forgotten.length > 0) await this.redis.hdel(index, ...forgotten);
      return sessions;
    });
  }

  async updateSnapshot(appid: string, userId: number, snapshot: UserSnapshot): Promise<void> {
    await this.run('update-snapshot', async () => {
      const hashes = await this.redis.hvals(this.indexKey(appid, userId));
      await Promise.all(
        hashes.map(async (hash) => {
          const record = parseRecord(await this.redis.get(this.sessionKey(hash)));
          if (!record) return;
          // XX + KEEPTTL: never resurrect a session revoked meanwhile, never move its expiry.
          await this.redis.set(
            this.sessionKey(hash),
            JSON.stringify({ ...record, snapshot }),
            'KEEPTTL',
            'XX',
          );
        }),
      );
    });
  }

  revoke(appid: string, userId: number, sessionId: string): Promise<boolean> {
    return this.run('revoke', async () => {
      const index = this.indexKey(appid, userId);
      const tokenHash = await this.redis.hget(index, sessionId);
      if (!tokenHash) return false;
      await this.redis.del(this.sessionKey(tokenHash));
      await this.redis.hdel(index, sessionId);
      return true;
    });
  }

  revokeAll(appid: string, userId: number): Promise<number> {
    return this.run('revoke-all', async () => {
      const index = this.indexKey(appid, userId);
      const hashes = await this.redis.hvals(index);
      // Session keys live in other Cluster slots than the index: one DEL each, written back to back.
      await Promise.all(hashes.map((hash) => this.redis.del(this.sessionKey(hash))));
      await this.redis.del(index);
      return hashes.length;
    });
  }

  async saveSessionKey(
    appid: string,
    userId: number,
    sealedSessionKey: string,
    retainUntil: number,
  ): Promise<void> {
    await this.run('save-session-key', () =>
      this.batch.call('set', [
        this.userKey(appid, userId, 'session-key'),
        sealedSessionKey,
        'PXAT',
        retainUntil,
      ]),
    );
  }

  findSessionKey(appid: string, userId: number): Promise<string | null> {
    return this.run('find-session-key', () => this.redis.get(this.userKey(appid, userId, 'session-key')));
  }

  async deleteSessionKey(appid: string, userId: number): Promise<void> {
    await this.run('delete-session-key', () => this.redis.del(this.userKey(appid, userId, 'session-key')));
  }

  private sessionKey(tokenHash: string): string {
    return `${this.prefix}session:{${tokenHash}}`;
  }

  private indexKey(appid: string, userId: number): string {
    return this.userKey(appid, userId, 'sessions');
  }

  private userKey(appid: string, userId: number, suffix: string): string {
    return `${this.prefix}user:{${appid}:${userId}}:${suffix}`;
  }

  private async run<T>(operation: string, command: () => Promise<T>): Promise<T> {
    try {
      return await withDeadline(command());
    } catch (error) {
      throw new SessionStoreUnavailableError(operation, { cause: error });
    }
  }
}

function parseRecord(json: string | null): SessionRecord | null {
  return json === null ? null : (JSON.parse(json) as SessionRecord);
}
