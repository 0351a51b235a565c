import { Injectable, Logger } from '@nestjs/common';
import { AuditRecorder } from '../audit/audit-event.js';
import { mapSessionSummary, SessionService, type CurrentUserContext } from '../auth/index.js';
import { mapIdentity } from './dto/identity.dto.js';
import { mapUserProfile } from '../user/user-profile.js';
import { UsersService } from '../user/user.service.js';
import { AvatarReferences } from './avatar-references.service.js';
import type { AccountExport } from './dto/account-export.dto.js';
import { appsOfPerson, loadUserOr404, userDatabaseCall } from './user-database-call.js';

/**
 * The account lifecycle the PIPL gives users and WeChat's review asks for: deleting the account and
 * exporting what is stored about it.
 */
@Injectable()
export class AccountService {
  private readonly logger = new Logger(AccountService.name);

  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionService,
    private readonly avatars: AvatarReferences,
    private readonly audit: AuditRecorder,
  ) {}

  /**
   * Deletes the caller's account for good: stored avatar file (unless another user shares it), user row
   * (profile, phone number, WeChat identifiers), stored session_key, every session.
   *
   * Ordered so that a failure at any step (503) leaves the caller's token working and a retry with it
   * finishes the job, each step being idempotent:
   * 1. the avatar file, while the row still says which file it is (after the row, a failure would
   *    leave the file behind with nothing pointing at it);
   * 2. the row (already gone: a retry after a session-store failure);
   * 3. in the session store, last, because it ends the token the retry needs: the session_key, then
   *    every session. The guard authenticates from the session store only, so a retry after a database
   *    failure still gets here.
   *
   * `request` and `operator` are for the audit trail: the request that asked, and the operator's name
   * when it was not the user.
   */
  async delete(
    caller: CurrentUserContext,
    { request, operator }: { request?: unknown; operator?: string } = {},
  ): Promise<void> {
    const user = await userDatabaseCall(this.logger, 'load', () => this.users.findById(caller.userId));
    // The person's sessions and session_keys in every app they use; read before the identities go.
    const appids = user ? await appsOfPerson(this.logger, this.users, user.id, caller.appid) : [caller.appid];
    if (user) {
      if (user.avatarFile) await this.avatars.releaseIfUnused(user.avatarFile, user.id);
      await userDatabaseCall(this.logger, 'delete', () => this.users.deleteById(user.id));
    }
    let sessionsRevoked = 0;
    for (const appid of appids) sessionsRevoked += await this.sessions.forgetUser(appid, caller.userId);
    this.logger.log(`user ${caller.userId} deleted their account`);
    this.audit.record(
      {
        kind: 'account.deleted',
        userId: caller.userId,
        appid: caller.appid,
        openid: caller.openid ?? user?.openid ?? null,
        operator: operator ?? null,
        detail: { sessionsRevoked },
      },
      request,
    );
  }

  /** Everything stored about the caller, read from the database, not from the session's cached copy. */
  async export(caller: CurrentUserContext, now = new Date()): Promise<AccountExport> {
    const user = await loadUserOr404(this.logger, this.users, caller.userId);
    const identities = await userDatabaseCall(this.logger, 'load', () => this.users.identitiesOf(user.id));
    const sessions = await this.sessions.list(caller.appid, caller.userId, now.getTime());
    const own = identities.find(({ appid }) => appid === caller.appid);
    return {
      exportedAt: now.toISOString(),
      profile: mapUserProfile(user),
      phone: {
        phoneNumber: user.phoneNumber,
        purePhoneNumber: user.purePhoneNumber,
        countryCode: user.countryCode,
      },
      wechat: { appid: caller.appid, openid: own?.openid ?? user.openid, unionid: user.unionid },
      identities: identities.map(mapIdentity),
      createdAt: toIso(user.createdAt),
      updatedAt: toIso(user.updatedAt),
      lastLoginAt: user.lastLoginAt === null ? null : toIso(user.lastLoginAt),
      sessions: sessions.map((record) => mapSessionSummary(record, caller.sessionId)),
    };
  }
}

function toIso(value: Date | string): string {
  return new Date(value).toISOString();
}
