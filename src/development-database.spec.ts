import { afterAll, afterEach, describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimDevelopmentDatabase, DatabaseFileInUseError } from './development-database.js';

describe('claimDevelopmentDatabase', () => {
  const saved = { ...process.env };
  const dir = mkdtempSync(join(tmpdir(), 'weapp-dev-db-'));

  afterEach(() => {
    process.env = { ...saved };
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('is a no-op with DATABASE_URL', () => {
    process.env.DATABASE_URL = 'mysql://root@127.0.0.1:3306/x';
    expect(claimDevelopmentDatabase()).toBeNull();
  });

  test('locks the file with this pid, taking over a lock whose process is gone', () => {
    const path = join(dir, 'stale.sqlite');
    writeFileSync(`${path}.lock`, '999999999');
    process.env.SQLITE_PATH = path;
    expect(claimDevelopmentDatabase()).toBe(path);
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(String(process.pid));
  });

  test('an explicit SQLITE_PATH held by a live process is an error naming SQLITE_PATH', () => {
    const path = join(dir, 'held.sqlite');
    writeFileSync(`${path}.lock`, String(process.ppid));
    process.env.SQLITE_PATH = path;
    expect(() => claimDevelopmentDatabase()).toThrow(DatabaseFileInUseError);
    expect(() => claimDevelopmentDatabase()).toThrow(
      `${path} is in use by another weapp-auth (pid ${process.ppid}): set SQLITE_PATH=`,
    );
    expect(existsSync(`${path}.lock`)).toBe(true);
  });
});
