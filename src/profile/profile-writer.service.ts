import { Injectable, Logger } from '@nestjs/common';
import { SessionService, type CurrentUserContext } from '../auth/index.js';
import { mapUserProfile, type UserProfile } from '../user/user-profile.js';
import type { User } from '../user/user.entity.js';
import { UsersService, type UserProfilePatch } from '../user/user.service.js';
import { storedAvatarFileOf } from './avatar.constants.js';
import { AvatarReferences } from './avatar-references.service.js';
import { userNotFound } from './profile.errors.js';
import { appsOfPerson, loadUserOr404, userDatabaseCall } from './user-database-call.js';

/** What the profile routes may change; `avatarFile` follows from `avatarUrl`, here and nowhere else. */
export type ProfileChange = Omit<UserProfilePatch, 'avatarFile'>;

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
    private readonly avatars: AvatarReferences,
  ) {}

  /** The caller's row (for its openid, unionid, current fields). 404 if it is gone, 503 if the database is. */
  load(caller: CurrentUserContext): Promise<User> {
    return loadUserOr404(this.logger, this.users, caller.userId);
  }

  /**
   * Puts the user's current profile into their sessions in every app (after a merge changed it behind
   * the sessions' back). 404 if the user is gone.
   */
  async refreshSessions(userId: number): Promise<void> {
    const user = await loadUserOr404(this.logger, this.users, userId);
    await this.publish(userId, mapUserProfile(user));
  }

  /** The person's sessions in every app they use carry the profile (`alsoIn`: an app the row may not list yet). */
  private async publish(userId: number, profile: UserProfile, alsoIn?: string): Promise<void> {
    for (const appid of await appsOfPerson(this.logger, this.users, userId, alsoIn))
      await this.sessions.updateSnapshot(appid, userId, profile);
  }

  /**
   * The openid the caller's session logged in with (in the session's app): what WeChat's per-user
   * APIs take. Sessions from before identities existed do not carry it; the identity table does.
   */
  async openidOf(caller: CurrentUserContext): Promise<string> {
    if (caller.openid !== undefined) return caller.openid;
    const openid = await userDatabaseCall(this.logger, 'read', () =>
      this.users.openidIn(caller.userId, caller.appid),
    );
    if (openid === null) throw userNotFound();
    return openid;
  }

  /**
   * Applies `change` to the caller's row, refreshes every session's cached profile, returns the profile.
   * A change of avatarUrl also records which stored file it names (if any) and lets go of the stored
   * file it replaces: a user holds at most one.
   */
  async apply(caller: CurrentUserContext, change: ProfileChange): Promise<UserProfile> {
    const changesAvatar = change.avatarUrl !== undefined;
    const previousFile = changesAvatar ? (await this.load(caller)).avatarFile : null;
    const patch: UserProfilePatch = changesAvatar
      ? { ...change, avatarFile: storedAvatarFileOf(change.avatarUrl) }
      : change;
    const user = await userDatabaseCall(this.logger, 'update', () =>
      this.users.updateProfile(caller.userId, patch),
    );
    const profile = mapUserProfile(user);
    await this.publish(caller.userId, profile, caller.appid);
    if (previousFile && previousFile !== user.avatarFile) {
      await this.avatars.releaseQuietly(previousFile, caller.userId);
    }
    return profile;
  }
}
