import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueryFailedError, type Repository } from 'typeorm';
import { User } from './user.entity.js';

export type UserProfilePatch = Partial<
  Pick<
    User,
    'nickname' | 'avatarUrl' | 'gender' | 'phoneNumber' | 'purePhoneNumber' | 'countryCode' | 'unionid'
  >
>;

const DEADLOCK_ERRNO = 1213;
const LOCK_WAIT_TIMEOUT_ERRNO = 1205;
const MAX_UPSERT_ATTEMPTS = 4;

@Injectable()
export class UsersService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /**
   * Creates the user on first login, otherwise records the login. Race-safe: the unique
   * (appid, openid) key turns concurrent first logins into one row (INSERT … ON DUPLICATE KEY
   * UPDATE on MySQL, ON CONFLICT on SQLite). A unionid, once known, is never cleared by a
   * login whose answer lacks it.
   */
  async upsertLogin(appid: string, openid: string, unionid?: string): Promise<User> {
    const updated = unionid ? ['unionid', 'last_login_at'] : ['last_login_at'];
    for (let attempt = 1; ; attempt++) {
      try {
        await this.users
          .createQueryBuilder()
          .insert()
          .into(User)
          .values({ appid, openid, unionid: unionid ?? null, lastLoginAt: new Date() })
          .orUpdate(updated, ['appid', 'openid'])
          .updateEntity(false)
          .execute();
        return await this.users.findOneByOrFail({ appid, openid });
      } catch (error) {
        // InnoDB may pick concurrent upserts on one unique key as deadlock victims; the retry is safe.
        if (attempt >= MAX_UPSERT_ATTEMPTS || !isTransientLockError(error)) throw error;
        await sleep(5 * attempt + Math.random() * 10);
      }
    }
  }

  findById(id: number): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  async updateProfile(id: number, patch: UserProfilePatch): Promise<User> {
    if (Object.keys(patch).length > 0) await this.users.update({ id }, patch);
    return this.users.findOneByOrFail({ id });
  }
}

function isTransientLockError(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const errno = (error.driverError as { errno?: number } | undefined)?.errno;
  return errno === DEADLOCK_ERRNO || errno === LOCK_WAIT_TIMEOUT_ERRNO;
}
