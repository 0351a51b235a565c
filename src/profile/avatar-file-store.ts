import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { access, mkdir, readFile, rename, rm, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { profileConfig } from '../config/profile.config.js';
import { AVATAR_FILE_NAME } from './avatar.constants.js';

/** The avatar files in `AVATAR_DIR`: only names matching AVATAR_FILE_NAME are ever touched. */
@Injectable()
export class AvatarFileStore {
  constructor(@Inject(profileConfig.KEY) private readonly config: ConfigType<typeof profileConfig>) {}

  /**
   * Writes atomically (temp file + rename), so a concurrent reader never sees half an image. Always
   * writes, even when the file exists: the content is the same (the name is its hash), and a file
   * deleted a moment ago by another user's avatar change comes back.
   */
  async save(fileName: string, bytes: Buffer): Promise<void> {
    const target = this.pathOf(fileName);
    await mkdir(this.config.avatarDir, { recursive: true });
    const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, bytes, { flag: 'wx' });
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  /** The file's bytes, or null when it does not exist. */
  async read(fileName: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(fileName));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async exists(fileName: string): Promise<boolean> {
    try {
      await access(this.pathOf(fileName));
      return true;
    } catch {
      return false;
    }
  }

  /** Deletes the file; already gone is fine. */
  async remove(fileName: string): Promise<void> {
    await rm(this.pathOf(fileName), { force: true });
  }

  /**
   * Whether the volume holding `AVATAR_DIR` keeps at least `AVATAR_MIN_FREE_MB` free for unprivileged
   * writers: uploads stop before avatars fill the disk the database, logs and the OS share. The
   * directory itself may not exist yet; its nearest existing parent is on the same volume.
   */
  async hasFreeSpace(): Promise<boolean> {
    if (this.config.minFreeBytes === 0) return true;
    await mkdir(this.config.avatarDir, { recursive: true });
    const { bavail, bsize } = await statfs(this.config.avatarDir);
    return bavail * bsize >= this.config.minFreeBytes;
  }

  private pathOf(fileName: string): string {
    if (!AVATAR_FILE_NAME.test(fileName)) throw new Error(`not an avatar file name: ${fileName}`);
    return join(this.config.avatarDir, fileName);
  }
}
