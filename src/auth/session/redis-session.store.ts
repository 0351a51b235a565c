import type { Cluster, Redis } from 'ioredis';
import { SessionStoreUnavailableError } from '../errors/session-store-unavailable.error.js';
import { STORE_DEADLINE_MS, withDeadline } from '../../redis/deadline.js';
import { RedisBatcher } from '../../redis/redis-batcher.js';
import { RedisScript } from '../../redis/redis-script.js';
import { SessionStore, type SessionRecord, type StoredSession, type UserSnapshot } from './session.store.js';

/**
 * Indexes a session that is already written (KEYS[1] the id → token-hash hash, KEYS[2] the id →
 * createdAt sorted set, both under the user's hash tag; KEYS[3], optional, the user's sealed
 * session_key). Index expiry only ever moves later: it must outlive every session it lists, whose
 * retention a touch can push up to the absolute cap. Returns `[id, tokenHash, …]` of the oldest
 * sessions beyond the cap (never the new one) for the caller to revoke; it does not remove them, so
 * no session is ever alive outside the index.
 * ARGV: id, tokenHash, indexUntil, createdAt, max (0: no cap), now, [sealed, sealedUntil].
 */
const ADD_TO_INDEX = new RedisScript(`
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
if redis.call('HLEN', KEYS[1]) > redis.call('ZCARD', KEYS[2]) then
  -- An index written before the cap existed: its sessions count as the oldest.
  for _, id in ipairs(redis.call('HKEYS', KEYS[1])) do redis.call('ZADD', KEYS[2], 'NX', 0, id) end
end
local now = tonumber(ARGV[6])
local indexUntil = tonumber(ARGV[3])
for i = 1, 2 do
  local ttl = redis.call('PTTL', KEYS[i])
  if ttl < 0 or now + ttl < indexUntil then redis.call('PEXPIREAT', KEYS[i], indexUntil) end
end
if KEYS[3] then redis.call('SET', KEYS[3], ARGV[7], 'PXAT', ARGV[8]) end
local max = tonumber(ARGV[5])
local evicted = {}
if max > 0 then
  local excess = redis.call('ZCARD', KEYS[2]) - max
  if excess > 0 then
    for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, excess)) do
      if #evicted >= 2 * excess then break end
      if id ~= ARGV[1] then
        evicted[#evicted + 1] = id
        evicted[#evicted + 1] = redis.call('HGET', KEYS[1], id) or ''
      end
    end
  end
end
return evicted
`);

/** Drops session ids (ARGV) from the user's index (KEYS[1] hash, KEYS[2] sorted set). */
const REMOVE_FROM_INDEX = `
redis.call('HDEL', KEYS[1], unpack(ARGV))
redis.call('ZREM', KEYS[2], unpack(ARGV))
return 1
`;

/**
 * Sessions in Redis (or Redis Cluster). Layout, under the configured prefix:
 * - `session:{<tokenHash>}`: the JSON record, expiring a little after the session does;
 * - `user:{<appid>:<userId>}:sessions`: hash of session id → token hash, for listing and revoking;
 * - `user:{<appid>:<userId>}:session-order`: sorted set of session id by createdAt, for the cap;
 * - `user:{<appid>:<userId>}:session-key`: the sealed latest session_key.
 * Braces are Cluster hash tags: a user's keys share a slot, so one script may update them together. The
 * guard's lookup is a single GET of one key. The token hash, not the appid, addresses a session because a
 * bearer token says nothing about its app; the record carries the appid.
 *
 * Revocation without a race (issue 15): a session key and its user's index sit in different Cluster
 * slots, so no single script can cover both. Instead two orderings make it safe:
 * - a session is written strictly before it is indexed (same batch on one connection, or awaited
 *   first on Cluster), so once it is in the index it exists;
 * - a revoke deletes the sessions it read from the index and then removes exactly those ids, never the
 *   whole index: a login indexed meanwhile stays listed, and a later revoke-all ends it.
 * So every live session is listed from the moment its login answers. A per-user epoch checked on every
 * lookup would also work, but costs the guard a second key it cannot name before reading the session.
 * @publicApi
 */
export class RedisSessionStore extends SessionStore {
  /** The hot commands (the guard's lookup, a login's writes), batched per event-loop turn. */
  private readonly batch: RedisBatcher;
  private readonly cluster: boolean;

  /** `batcher`: share one with the other users of this client (the auth module passes its own). */
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix = 'wxauth:',
    batcher: RedisBatcher = new RedisBatcher(redis),
  ) {
    super();
    this.batch = batcher;
    this.cluster = (redis as Cluster).isCluster === true;
  }

  async create(session: StoredSession, retainUntil: number, maxPerUser?: number): Promise<void> {
    await this.writeSession(session, retainUntil, maxPerUser);
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
    maxPerUser?: number,
  ): Promise<void> {
    await this.writeSession(session, retainUntil, maxPerUser, sessionKey);
  }

  /**
   * The record, then the index update (one atomic script rather than MULTI/HSET/ZADD/PEXPIREAT/EXEC).
   * On one Redis both go in one batch on one connection, which Redis runs in order; on Cluster they reach
   * different nodes, so the record is awaited first. Sessions beyond the cap are revoked afterwards,
   * a rare second step.
   */
  private async writeSession(
    { tokenHash, record }: StoredSession,
    retainUntil: number,
    maxPerUser = 0,
    sessionKey?: { sealed: string; retainUntil: number },
  ): Promise<void> {
    const { appid, userId } = record;
    // The latest a touch can push this session's retention: the absolute cap plus the same margin.
    const indexUntil =
      record.absoluteExpiresAt +
      Math.max(0, retainUntil - Math.min(record.idleExpiresAt, record.absoluteExpiresAt));
    const keys = [this.indexKey(appid, userId), this.orderKey(appid, userId)];
    const args: (string | number)[] = [
      record.id,
      tokenHash,
      indexUntil,
      record.createdAt,
      maxPerUser,
      Date.now(),
    ];
    if (sessionKey) {
      keys.push(this.userKey(appid, userId, 'session-key'));
      args.push(sessionKey.sealed, sessionKey.retainUntil);
    }
    const write = () =>
      this.batch.call('set', [this.sessionKey(tokenHash), JSON.stringify(record), 'PXAT', retainUntil]);
    const index = () => ADD_TO_INDEX.run(this.batch, keys, args);
    const evicted = await this.run('create', async () => {
      if (this.cluster) {
        await write();
        return index();
      }
      const [, reply] = await Promise.all([write(), index()]);
      return reply;
    });
    const pairs = evicted as string[];
    if (pairs.length === 0) return;
    const sessions: { id: string; tokenHash: string }[] = [];
    for (let i = 0; i < pairs.length; i += 2) sessions.push({ id: pairs[i], tokenHash: pairs[i + 1] });
    await this.run('evict', () => this.deleteIndexed(appid, userId, sessions));
  }

  /** Deletes these sessions, then (only then) drops their ids from the user's index. */
  private async deleteIndexed(
    appid: string,
    userId: number,
    sessions: { id: string; tokenHash: string }[],
  ): Promise<void> {
    if (sessions.length === 0) return;
    const hashes = sessions.map(({ tokenHash }) => tokenHash).filter((hash) => hash !== '');
    // Session keys live in other Cluster slots than the index: one DEL each, written back to back.
    await Promise.all(hashes.map((hash) => this.redis.del(this.sessionKey(hash))));
    await this.redis.eval(
      REMOVE_FROM_INDEX,
      2,
      this.indexKey(appid, userId),
      this.orderKey(appid, userId),
      ...sessions.map(({ id }) => id),
    );
  }

  find(tokenHash: string): Promise<SessionRecord | null> {
    // Plain promise chaining rather than run(): this is the one store call of every guarded request,
    // and each async layer costs a promise.
    const unavailable = (error: unknown): never => {
      throw new SessionStoreUnavailableError('find', { cause: error });
    };
    // The batcher's deadline: one timer per batch rather than one per request (RedisBatcher.get).
    return this.batch.get(this.sessionKey(tokenHash), STORE_DEADLINE_MS).then((json) => {
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
      if (forgotten.length > 0) {
        await this.redis.eval(REMOVE_FROM_INDEX, 2, index, this.orderKey(appid, userId), ...forgotten);
      }
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
      const tokenHash = await this.redis.hget(this.indexKey(appid, userId), sessionId);
      if (!tokenHash) return false;
      await this.deleteIndexed(appid, userId, [{ id: sessionId, tokenHash }]);
      return true;
    });
  }

  revokeAll(appid: string, userId: number): Promise<number> {
    return this.run('revoke-all', async () => {
      // Only the ids read here leave the index: a login indexed meanwhile stays listed (class comment).
      const entries = Object.entries(await this.redis.hgetall(this.indexKey(appid, userId)));
      await this.deleteIndexed(
        appid,
        userId,
        entries.map(([id, tokenHash]) => ({ id, tokenHash })),
      );
      return entries.length;
    });
  }

  /**
   * Each session is rewritten (same key, same expiry, `XX`: never resurrected), indexed under the new
   * user, and only then dropped from the old user's index, so it is listed somewhere at every moment.
   */
  override moveUser(
    appid: string,
    fromUserId: number,
    toUserId: number,
    snapshot: UserSnapshot | null,
  ): Promise<number> {
    return this.run('move-user', async () => {
      const entries = Object.entries(await this.redis.hgetall(this.indexKey(appid, fromUserId)));
      const moved: string[] = [];
      for (const [id, tokenHash] of entries) {
        const key = this.sessionKey(tokenHash);
        const record = parseRecord(await this.redis.get(key));
        if (!record) continue;
        await this.redis.set(key, JSON.stringify({ ...record, userId: toUserId, snapshot }), 'KEEPTTL', 'XX');
        const now = Date.now();
        // The index outlives every session it lists; a day past the cap covers the expired-record margin.
        const indexUntil = record.absoluteExpiresAt + 24 * 3600 * 1000;
        await ADD_TO_INDEX.run(
          this.batch,
          [this.indexKey(appid, toUserId), this.orderKey(appid, toUserId)],
          [id, tokenHash, indexUntil, record.createdAt, 0, now],
        );
        moved.push(id);
      }
      if (moved.length > 0) {
        await this.redis.eval(
          REMOVE_FROM_INDEX,
          2,
          this.indexKey(appid, fromUserId),
          this.orderKey(appid, fromUserId),
          ...moved,
        );
      }
      const oldKey = this.userKey(appid, fromUserId, 'session-key');
      const [sealed, ttl] = await Promise.all([this.redis.get(oldKey), this.redis.pttl(oldKey)]);
      if (sealed !== null && ttl > 0) {
        await this.redis.set(this.userKey(appid, toUserId, 'session-key'), sealed, 'PX', ttl);
        await this.redis.del(oldKey);
      }
      return moved.length;
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

  private orderKey(appid: string, userId: number): string {
    return this.userKey(appid, userId, 'session-order');
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
