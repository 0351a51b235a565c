import type { Cluster, Redis } from 'ioredis';
import { SessionStoreUnavailableError } from '../errors/session-store-unavailable.error.js';
import { withDeadline } from '../../redis/deadline.js';
import type { RedisBatcher } from '../../redis/redis-batcher.js';

export const LEDGER_PENDING = 'pending';

/**
 * Remembers, per login code, that an exchange is in flight and then how it ended, so a code sent
 * several times (double taps, client retries, several instances) reaches WeChat once. Entries are
 * keyed by a hash of appid + code: the code itself is never stored.
 * @internal
 */
export abstract class LoginCodeLedger {
  /** Marks the code as being exchanged; true for the one caller that should call WeChat. */
  abstract claim(codeHash: string, ttlMs: number): Promise<boolean>;
  /** Records the outcome for later callers until `ttlMs` from now. */
  abstract settle(codeHash: string, outcome: string, ttlMs: number): Promise<void>;
  /** The outcome, `LEDGER_PENDING` while in flight, or null when unknown. */
  abstract read(codeHash: string): Promise<string | null>;
}

export class RedisLoginCodeLedger extends LoginCodeLedger {
  /** Shared with the session store: a login's writes and other logins' go out together. */
  private readonly batch: RedisBatcher;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
    batcher: RedisBatcher,
  ) {
    super();
    this.batch = batcher;
  }

  claim(codeHash: string, ttlMs: number): Promise<boolean> {
    return this.run(
      async () =>
        (await this.batch.call('set', [this.key(codeHash), LEDGER_PENDING, 'PX', ttlMs, 'NX'])) === 'OK',
    );
  }

  async settle(codeHash: string, outcome: string, ttlMs: number): Promise<void> {
    await this.run(() => this.batch.call('set', [this.key(codeHash), outcome, 'PX', ttlMs]));
  }

  read(codeHash: string): Promise<string | null> {
    return this.run(() => this.redis.get(this.key(codeHash)));
  }

  private key(codeHash: string): string {
    return `${this.prefix}login-code:{${codeHash}}`;
  }

  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await withDeadline(command());
    } catch (error) {
      throw new SessionStoreUnavailableError('login-code ledger', { cause: error });
    }
  }
}

export class MemoryLoginCodeLedger extends LoginCodeLedger {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();

  async claim(codeHash: string, ttlMs: number): Promise<boolean> {
    if ((await this.read(codeHash)) !== null) return false;
    this.entries.set(codeHash, { value: LEDGER_PENDING, expiresAt: Date.now() + ttlMs });
    return true;
  }

  async settle(codeHash: string, outcome: string, ttlMs: number): Promise<void> {
    this.sweep();
    this.entries.set(codeHash, { value: outcome, expiresAt: Date.now() + ttlMs });
  }

  async read(codeHash: string): Promise<string | null> {
    const entry = this.entries.get(codeHash);
    if (!entry || entry.expiresAt <= Date.now()) return null;
    return entry.value;
  }

  /** Entries live seconds; drop the expired ones so a long-running dev server does not grow. */
  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}
