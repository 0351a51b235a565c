import { SessionStore, type SessionRecord, type StoredSession, type UserSnapshot } from './session.store.js';

interface Expiring<T> {
  value: T;
  retainUntil: number;
}

/**
 * Sessions in process memory: for development and single-process tests only. Everything is lost on
 * restart and nothing is shared between instances, which is why production refuses it.
 * @publicApi
 */
export class MemorySessionStore extends SessionStore {
  private readonly sessions = new Map<string, Expiring<SessionRecord>>();
  private readonly sessionKeys = new Map<string, Expiring<string>>();

  constructor(private readonly now: () => number = Date.now) {
    super();
  }

  async create(
    { tokenHash, record }: StoredSession,
    retainUntil: number,
    maxPerUser?: number,
  ): Promise<void> {
    this.sessions.set(tokenHash, { value: { ...record }, retainUntil });
    if (!maxPerUser) return;
    // Oldest first; a Map iterates in insertion order, which breaks createdAt ties the same way.
    const others = (await this.listForUser(record.appid, record.userId))
      .filter((session) => session.tokenHash !== tokenHash)
      .sort((a, b) => a.record.createdAt - b.record.createdAt);
    for (const session of others.slice(0, Math.max(0, others.length + 1 - maxPerUser))) {
      this.sessions.delete(session.tokenHash);
    }
  }

  async find(tokenHash: string): Promise<SessionRecord | null> {
    const entry = this.live(this.sessions, tokenHash);
    return entry ? { ...entry.value } : null;
  }

  async touch(tokenHash: string, record: SessionRecord, retainUntil: number): Promise<void> {
    if (this.live(this.sessions, tokenHash))
      this.sessions.set(tokenHash, { value: { ...record }, retainUntil });
  }

  async listForUser(appid: string, userId: number): Promise<StoredSession[]> {
    const found: StoredSession[] = [];
    for (const tokenHash of this.sessions.keys()) {
      const entry = this.live(this.sessions, tokenHash);
      if (entry && entry.value.appid === appid && entry.value.userId === userId) {
        found.push({ tokenHash, record: { ...entry.value } });
      }
    }
    return found;
  }

  async updateSnapshot(appid: string, userId: number, snapshot: UserSnapshot): Promise<void> {
    for (const { tokenHash } of await this.listForUser(appid, userId)) {
      const entry = this.sessions.get(tokenHash)!;
      entry.value = { ...entry.value, snapshot };
    }
  }

  async revoke(appid: string, userId: number, sessionId: string): Promise<boolean> {
    const match = (await this.listForUser(appid, userId)).find(({ record }) => record.id === sessionId);
    if (match) this.sessions.delete(match.tokenHash);
    return match !== undefined;
  }

  async revokeAll(appid: string, userId: number): Promise<number> {
    const sessions = await this.listForUser(appid, userId);
    for (const { tokenHash } of sessions) this.sessions.delete(tokenHash);
    return sessions.length;
  }

  override async moveUser(
    appid: string,
    fromUserId: number,
    toUserId: number,
    snapshot: UserSnapshot | null,
  ): Promise<number> {
    const sessions = await this.listForUser(appid, fromUserId);
    for (const { tokenHash } of sessions) {
      const entry = this.sessions.get(tokenHash)!;
      entry.value = { ...entry.value, userId: toUserId, snapshot };
    }
    const key = this.sessionKeys.get(`${appid}:${fromUserId}`);
    if (key) {
      this.sessionKeys.set(`${appid}:${toUserId}`, key);
      this.sessionKeys.delete(`${appid}:${fromUserId}`);
    }
    return sessions.length;
  }

  async saveSessionKey(
    appid: string,
    userId: number,
    sealedSessionKey: string,
    retainUntil: number,
  ): Promise<void> {
    this.sessionKeys.set(`${appid}:${userId}`, { value: sealedSessionKey, retainUntil });
  }

  async findSessionKey(appid: string, userId: number): Promise<string | null> {
    return this.live(this.sessionKeys, `${appid}:${userId}`)?.value ?? null;
  }

  async deleteSessionKey(appid: string, userId: number): Promise<void> {
    this.sessionKeys.delete(`${appid}:${userId}`);
  }

  private live<T>(map: Map<string, Expiring<T>>, key: string): Expiring<T> | undefined {
    const entry = map.get(key);
    if (entry && entry.retainUntil <= this.now()) {
      map.delete(key);
      return undefined;
    }
    return entry;
  }
}
