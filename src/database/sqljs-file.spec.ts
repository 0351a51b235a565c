import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqljsFile } from './sqljs-file.js';

describe('SqljsFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weapp-sqljs-file-'));

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('creates the folder, and concurrent saves end with the newest snapshot and no temporary file', async () => {
    const path = join(dir, 'nested/dev.sqlite');
    const file = new SqljsFile(path);
    const snapshots = Array.from({ length: 20 }, (_, index) => new Uint8Array(64 * 1024).fill(index));
    await Promise.all(snapshots.map((snapshot) => file.save(snapshot)));
    expect(readFileSync(path)).toEqual(Buffer.from(snapshots[19]));
    expect(readdirSync(join(dir, 'nested'))).toEqual(['dev.sqlite']);
  });

  test('a failed write rejects its caller and does not block the next save', async () => {
    const blocker = join(dir, 'plain.sqlite');
    writeFileSync(blocker, 'a file where the folder should be');
    const file = new SqljsFile(join(blocker, 'dev.sqlite'));
    await expect(file.save(new Uint8Array([1]))).rejects.toThrow();
    rmSync(blocker);
    await file.save(new Uint8Array([2]));
    expect(readFileSync(join(blocker, 'dev.sqlite'))).toEqual(Buffer.from([2]));
  });
});
