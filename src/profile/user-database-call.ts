import { HttpException, type Logger } from '@nestjs/common';
import { EntityNotFoundError } from 'typeorm';
import { errorMessage } from '../common/error-message.js';
import type { User } from '../user/user.entity.js';
import type { UsersService } from '../user/user.service.js';
import { databaseUnavailable, userNotFound } from './profile.errors.js';

/**
 * Runs one query on the caller's user row the way every profile route answers failures: HTTP errors
 * pass through, a row that vanished (TypeORM's re-read after an update) is 404 `USER_NOT_FOUND`, and
 * anything else is a logged 503 `DATABASE_UNAVAILABLE`. The row's contents are never logged (phone
 * numbers live there); the driver message is enough.
 */
export async function userDatabaseCall<T>(
  logger: Logger,
  operation: string,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof HttpException) throw error;
    if (error instanceof EntityNotFoundError) throw userNotFound();
    logger.error(`user ${operation} failed: ${errorMessage(error)}`);
    throw databaseUnavailable();
  }
}

/** The user row with this id: 404 `USER_NOT_FOUND` when there is none, 503 when the database fails. */
export async function loadUserOr404(logger: Logger, users: UsersService, userId: number): Promise<User> {
  const user = await userDatabaseCall(logger, 'load', () => users.findById(userId));
  if (!user) throw userNotFound();
  return user;
}

/**
 * The apps a person has identities in, where their sessions and session_keys live, plus `alsoIn` (the
 * caller's own app, which a deleted or pre-identity row may not list). 503 when the database fails.
 */
export async function appsOfPerson(
  logger: Logger,
  users: UsersService,
  userId: number,
  alsoIn?: string,
): Promise<string[]> {
  const appids = await userDatabaseCall(logger, 'identities', () => users.appidsOf(userId));
  if (alsoIn !== undefined && !appids.includes(alsoIn)) appids.push(alsoIn);
  return appids;
}
