import { Injectable, Logger } from '@nestjs/common';
import { mapSessionSummary, SessionService } from '../auth/index.js';
import { AccountService } from '../profile/account.service.js';
import { loadUserOr404, userDatabaseCall } from '../profile/user-database-call.js';
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
    const sessions = await this.sessions.list(user.appid, user.id);
    return {
      ...mapAdminUser(user),
      identities: [
        {
          kind: 'mini_program',
          appid: user.appid,
          openid: user.openid,
          firstSeenAt: new Date(user.createdAt).toISOString(),
          lastSeenAt: user.lastLoginAt === null ? null : new Date(user.lastLoginAt).toISOString(),
        },
      ],
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
    return this.sessions.revoke(user.appid, user.id, sessionId);
  }

  /** How many sessions ended. */
  async revokeAll(userId: number): Promise<number> {
    const user = await this.load(userId);
    return this.sessions.revokeAll(user.appid, user.id);
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
