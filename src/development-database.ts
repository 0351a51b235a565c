import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_SQLITE_PATH } from './config/database.config.js';
import { validateEnv } from './config/env.validation.js';

/** The embedded database file is held by another running instance, and SQLITE_PATH names it. */
export class DatabaseFileInUseError extends Error {
  override readonly name = 'DatabaseFileInUseError';

  constructor(
    readonly path: string,
    readonly ownerPid: number,
  ) {
    super(`${path} is in use by another weapp-auth (pid ${ownerPid}): set SQLITE_PATH=<another file>`);
  }
}

/**
 * In development without DATABASE_URL, claims the embedded SQLite file for this process. sql.js keeps
 * the database in memory and saves the whole of it on each write, so two processes on one file would
 * silently overwrite each other's rows: a lock file (`<file>.lock`, the owner's pid, removed on exit,
 * taken over when its process is gone) keeps it to one. Like the simulator's port: an explicit
 * SQLITE_PATH that is taken is an error naming it; the default file, when taken, gives way to one per
 * PORT (`data/weapp-auth.3010.sqlite`), so a second instance needs only its own PORT and keeps its
 * users across restarts. Returns the path in use (the database config reads it from SQLITE_PATH).
 */
export function claimDevelopmentDatabase(): string | null {
  const env = validateEnv(process.env);
  if (env.DATABASE_URL || env.NODE_ENV === 'production') return null;
  const path = env.SQLITE_PATH ?? DEFAULT_SQLITE_PATH;
  const owner = lockFile(path);
  if (owner === null) return path;
  if (env.SQLITE_PATH !== undefined) throw new DatabaseFileInUseError(path, owner);
  const ownPath = DEFAULT_SQLITE_PATH.replace(/\.sqlite$/, `.${env.PORT ?? 3000}.sqlite`);
  const ownOwner = lockFile(ownPath);
  if (ownOwner !== null) throw new DatabaseFileInUseError(ownPath, ownOwner);
  process.env.SQLITE_PATH = ownPath;
  return ownPath;
}

/** Takes `<path>.lock` for this process; returns null, or the pid of the live process holding it. */
function lockFile(path: string): number | null {
  const lock = `${path}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      process.once('exit', () => rmSync(lock, { force: true }));
      return null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(readFileSync(lock, 'utf8'));
    if (owner !== process.pid && isRunning(owner)) return owner;
    rmSync(lock, { force: true }); // left by a process that was killed
  }
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
