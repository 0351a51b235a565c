import { Injectable, Logger } from '@nestjs/common';
import { SessionService, type CurrentUserContext } from '../auth/index.js';
import { mapUserProfile, type UserProfile } from '../user/user-profile.js';
import type { User } from '../user/user.entity.js';
import { UsersService, type UserProfilePatch } from '../user/user.service.js';
import { userNotFound } from './profile.errors.js';
import { userDatabaseCall } from './user-database-call.js';

/**
 * The one way the profile routes read and change the caller's user row. Every change is followed by
 * refreshing the profile cached in all of the user's sessions, which `GET /users/me` and the login
 * response serve without touching the database.
 */
@Injectable()
export class ProfileWriter {
  private readonly logger = new Logger(ProfileWriter.name);

  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionService,
  ) {}

  /** The caller's row (for its openid, unionid, current fields). 404 if it is gone, 503 if the database is. */
  async load(caller: CurrentUserContext): Promise<User> {
    const user = await userDatabaseCall(this.logger, 'load', () => this.users.findById(caller.userId));
    if (!user) throw userNotFound();
    return user;
  }

  /** Applies `patch` to the caller's row, refreshes every session's cached profile, returns the profile. */
  async apply(caller: CurrentUserContext, patch: UserProfilePatch): Promise<UserProfile> {
    const user = await userDatabaseCall(this.logger, 'update', () =>
      this.users.updateProfile(caller.userId, patch),
    );
    const profile = mapUserProfile(user);
    await this.sessions.updateSnapshot(caller.appid, caller.userId, profile);
    return profile;
  }
}
