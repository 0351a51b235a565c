import { errorMessage } from '../common/error-message.js';
import type { IdentityKey } from './login-lookup.batcher.js';

/** Writes "these identities logged in at `at`" (and their persons); one statement per call. */
export type LastSeenWriter = (keys: readonly IdentityKey[], at: Date) => Promise<void>;

/** How long logins' times gather before one write: the times are kept to this precision. */
const FLUSH_INTERVAL_MS = 250;
/** Identities per statement, and what makes a flush start early. */
const MAX_PER_STATEMENT = 500;
/**
 * Identities waiting at most, pending or in writes queued behind a slow database: beyond it a
 * login's time is dropped (counted), never its login.
 */
const MAX_WAITING = 20_000;

/**
 * The "last seen" times of known identities' logins, written off the login's path: a repeat login
 * then costs the database one read (the batched lookup) instead of a read and a write, and a busy
 * server writes the times of every login of a quarter second in one statement. Identities are written
 * in key order, so two instances' writes lock rows in the same order.
 *
 * A time is telemetry, not the user's data: a write that fails is logged and dropped (the next login
 * records a newer time), and what is pending at shutdown is written by {@link flush}.
 * @internal
 */
export class LastSeenRecorder {
  private pending = new Map<string, IdentityKey>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  /** Identities in writes queued or running. */
  private queued = 0;
  private dropped = 0;

  constructor(
    private readonly write: LastSeenWriter,
    private readonly warn: (message: string) => void,
  ) {}

  record(key: IdentityKey): void {
    const id = `${key.appid}\0${key.openid}`;
    if (!this.pending.has(id)) {
      if (this.pending.size + this.queued >= MAX_WAITING) {
        this.dropped++;
        return;
      }
      this.pending.set(id, key);
    }
    if (this.pending.size >= MAX_PER_STATEMENT) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS).unref();
  }

  /** Writes what is pending now; resolves when that (and every earlier write) is done. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const keys = [...this.pending.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, key]) => key);
    this.pending = new Map();
    const at = new Date();
    for (let start = 0; start < keys.length; start += MAX_PER_STATEMENT) {
      const slice = keys.slice(start, start + MAX_PER_STATEMENT);
      this.queued += slice.length;
      // One write at a time: they never overtake each other, nor deadlock with each other.
      this.writing = this.writing.then(() =>
        this.write(slice, at)
          .catch((error: unknown) => {
            this.warn(`last-seen times of ${slice.length} logins not written: ${errorMessage(error)}`);
          })
          .finally(() => (this.queued -= slice.length)),
      );
    }
    if (this.dropped > 0) {
      this.warn(`last-seen times of ${this.dropped} logins dropped: more than ${MAX_WAITING} waiting`);
      this.dropped = 0;
    }
    return this.writing;
  }
}
