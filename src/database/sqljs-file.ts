import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes sql.js snapshots (the whole database, as TypeORM's `sqljs` driver exports it after each write)
 * to `path`: through a temporary file and a rename, so a crash mid-write never leaves half a database,
 * and one write at a time with the newest snapshot last (TypeORM's own `autoSave` writes in place and
 * lets concurrent saves interleave).
 */
export class SqljsFile {
  private latest?: Uint8Array;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {}

  /** Resolves once `data`, or a newer snapshot, is on disk. */
  save(data: Uint8Array): Promise<void> {
    this.latest = data;
    const write = this.queue.then(() => this.writeLatest());
    this.queue = write.catch(() => undefined);
    return write;
  }

  private async writeLatest(): Promise<void> {
    const data = this.latest;
    if (!data) return; // a later save already wrote it
    this.latest = undefined;
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, data);
    await rename(temporary, this.path);
  }
}
