import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { AuditRecorder } from '../audit/audit-event.js';
import { SessionService } from '../auth/index.js';
import { errorMessage } from '../common/error-message.js';
import { appsOfPerson, loadUserOr404, userDatabaseCall } from '../profile/user-database-call.js';
import { UsersService } from '../user/user.service.js';

/**
 * A login that read the user's row just before the ban landed can still issue its session a few
 * milliseconds after the ban's revocation: one more revocation this much later ends such a session
 * (the guard reads sessions from the shared store, so on every instance).
 */
const SECOND_SWEEP_MS = 1000;

/** Who acts, for the audit trail: the operator's name and their request. */
export interface OperatorAct {
  operator: string | null;
  request: unknown;
}

/**
 * Bans and unbans. A ban stores `banned_at` (every later login answers 403 `USER_BANNED`) and revokes
 * all of the user's sessions at once in the shared session store, so every instance refuses their
 * remaining requests on the next one; a second sweep a second later catches a login that was past its
 * ban check when the ban landed. Unbanning only clears the flag: the user logs in again.
 */
@Injectable()
export class UserBans implements BeforeApplicationShutdown {
  private readonly logger = new Logger(UserBans.name);
  /** Pending second sweeps: their timers and what they run. */
  private readonly sweeps = new Map<NodeJS.Timeout, () => Promise<void>>();

  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionService,
    private readonly audit: AuditRecorder,
  ) {}

  /** Returns how many sessions the ban ended at once. 404 for no such user. */
  async ban(userId: number, reason: string | null, by: OperatorAct): Promise<number> {
    const user = await this.load(userId);
    await userDatabaseCall(this.logger, 'ban', () => this.users.setBanned(userId, new Date(), reason));
    // The person's sessions in every app they use.
    const appids = await appsOfPerson(this.logger, this.users, userId, user.appid);
    const revokeEverywhere = async () => {
      let revoked = 0;
      for (const appid of appids) revoked += await this.sessions.revokeAll(appid, userId);
      return revoked;
    };
    const revoked = await revokeEverywhere();
    const sweep = async () => {
      this.sweeps.delete(timer);
      await revokeEverywhere().then(
        () => undefined,
        (error: unknown) =>
          this.logger.warn(`second sweep of banned user ${userId} failed: ${errorMessage(error)}`),
      );
    };
    const timer = setTimeout(() => void sweep(), SECOND_SWEEP_MS);
    this.sweeps.set(timer, sweep);
    this.audit.record(
      {
        kind: 'user.banned',
        userId,
        appid: user.appid,
        openid: user.openid,
        operator: by.operator,
        detail: { revoked },
      },
      by.request,
    );
    return revoked;
  }

  async unban(userId: number, by: OperatorAct): Promise<void> {
    const user = await this.load(userId);
    await userDatabaseCall(this.logger, 'unban', () => this.users.setBanned(userId, null, null));
    this.audit.record(
      { kind: 'user.unbanned', userId, appid: user.appid, openid: user.openid, operator: by.operator },
      by.request,
    );
  }

  /** Runs the pending second sweeps now, while the session store is still open, rather than drop them. */
  async beforeApplicationShutdown(): Promise<void> {
    const pending = [...this.sweeps];
    for (const [timer] of pending) clearTimeout(timer);
    await Promise.all(pending.map(([, sweep]) => sweep()));
  }

  private load(userId: number) {
    return loadUserOr404(this.logger, this.users, userId);
  }
}
