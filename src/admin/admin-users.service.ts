import { Injectable, Logger } from '@nestjs/common';
import { mapSessionSummary, SessionService, type MergedUser, type SessionRecord } from '../auth/index.js';
import { AuditRecorder } from '../audit/audit-event.js';
import { mapIdentity } from '../profile/dto/identity.dto.js';
import { mapUserProfile } from '../user/user-profile.js';
import { AccountService } from '../profile/account.service.js';
import { appsOfPerson, loadUserOr404, userDatabaseCall } from '../profile/user-database-call.js';
import { UsersService } from '../user/user.service.js';
import { mapAdminUser } from './dto/admin-user.dto.js';
import type { AdminUserDetailDto, AdminUserPageDto } from './dto/admin-user-detail.dto.js';
import type { FindUsersQuery } from './dto/find-users.query.js';
import type { OperatorAct } from './user-bans.service.js';

const DEFAULT_PAGE_SIZE = 20;

/** What operators do to users besides bans: find, read, revoke sessions, delete. */
@Injectable()
export class AdminUsers {
  private readonly logger = new Logger(AdminUsers.name);

  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionService,
    private readonly accounts: AccountService,
    private readonly audit: AuditRecorder,
  ) {}

  async find(query: FindUsersQuery): Promise<AdminUserPageDto> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const { id, appid, openid, unionid } = query;
    const users = await userDatabaseCall(this.logger, 'search', () =>
      this.users.search({ id, appid, openid, unionid, phone: query.phone }, limit, query.after ?? 0),
    );
    return {
      items: users.map(mapAdminUser),
      next: users.length === limit ? users[users.length - 1].id : null,
    };
  }

  /** The user, the way they log in, and their live sessions. */
  async read(userId: number): Promise<AdminUserDetailDto> {
    const user = await this.load(userId);
    const identities = await userDatabaseCall(this.logger, 'identities', () =>
      this.users.identitiesOf(user.id),
    );
    const sessions = await this.sessionsOf(
      user.id,
      identities.map(({ appid }) => appid),
    );
    return {
      ...mapAdminUser(user),
      identities: identities.map(mapIdentity),
      // The user's own listing, without its `current` mark (no session of theirs makes this request).
      sessions: sessions.map((record) => {
        const { current: _current, ...summary } = mapSessionSummary(record, '');
        return summary;
      }),
    };
  }

  /** False when the user has no such live session. */
  async revokeSession(userId: number, sessionId: string): Promise<boolean> {
    const user = await this.load(userId);
    for (const appid of await appsOfPerson(this.logger, this.users, user.id)) {
      if (await this.sessions.revoke(appid, user.id, sessionId)) return true;
    }
    return false;
  }

  /** How many sessions ended, in every app the person uses. */
  async revokeAll(userId: number): Promise<number> {
    const user = await this.load(userId);
    let revoked = 0;
    for (const appid of await appsOfPerson(this.logger, this.users, user.id))
      revoked += await this.sessions.revokeAll(appid, user.id);
    return revoked;
  }

  /**
   * Merges person `mergedId` into `survivorId` (identities, fields by the merge precedence, sessions).
   * 409 ACCOUNT_CONFLICT when they cannot be merged (identities in one app, two unionids).
   */
  async merge(survivorId: number, mergedId: number, by: OperatorAct): Promise<MergedUser[]> {
    const survivor = await this.load(survivorId);
    await this.load(mergedId);
    // An AccountConflictError (409) is an HTTP error: userDatabaseCall passes it through.
    const merged = await userDatabaseCall(this.logger, 'merge', () =>
      this.users.merge(survivor.id, mergedId),
    );
    const after = await this.load(survivor.id);
    for (const { userId, appids } of merged) {
      for (const appid of appids)
        await this.sessions.moveUser(appid, userId, after.id, mapUserProfile(after));
    }
    if (merged.length > 0) {
      const mergedUserIds = merged.map(({ userId }) => userId).join(',');
      this.audit.record(
        { kind: 'accounts.merged', userId: after.id, operator: by.operator, detail: { mergedUserIds } },
        by.request,
      );
    }
    return merged;
  }

  private async sessionsOf(userId: number, appids: string[]): Promise<SessionRecord[]> {
    const lists = await Promise.all([...new Set(appids)].map((appid) => this.sessions.list(appid, userId)));
    return lists.flat();
  }

  /** The same deletion the user can ask for (`DELETE /users/me`): avatar, row, session_key, sessions. */
  async delete(userId: number, by: OperatorAct): Promise<void> {
    const user = await this.load(userId);
    await this.accounts.delete(
      { appid: user.appid, userId: user.id, sessionId: '' },
      {
        request: by.request,
        operator: by.operator ?? undefined,
      },
    );
  }

  private load(userId: number) {
    return loadUserOr404(this.logger, this.users, userId);
  }
}
