import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { createHash, randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CurrentUserContext } from '../auth/index.js';
import { profileConfig } from '../config/profile.config.js';
import type { UserProfile } from '../user/user-profile.js';
import {
  AVATAR_FILE_NAME,
  AVATAR_MAX_BYTES,
  AVATAR_UPLOAD_LIMITS,
  AVATAR_URL_PREFIX,
} from './avatar.constants.js';
import { detectImageType } from './image-type.js';
import { MultipartFileError, readFirstFile } from './multipart-file.js';
import { avatarMissing, avatarTooLarge, avatarUnsupportedType, badHostHeader } from './profile.errors.js';
import { ProfileWriter } from './profile-writer.service.js';

/** A Host header we are willing to put into a stored URL: a name or IP literal and an optional port. */
const HOST_HEADER = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * Stores the image a mini program picked with `open-type="chooseAvatar"` and uploaded with
 * `wx.uploadFile`, and points the caller's avatarUrl at it.
 *
 * Files are named by the SHA-256 of their bytes plus the extension of the format their magic bytes
 * show, so a re-upload is a no-op, two users with the same picture share one file, and a URL's content
 * never changes (served as immutable). A file is deleted only with the account of its last user
 * (AccountService): another user may share it.
 */
@Injectable()
export class AvatarStorageService {
  constructor(
    private readonly writer: ProfileWriter,
    @Inject(profileConfig.KEY) private readonly config: ConfigType<typeof profileConfig>,
  ) {}

  async upload(caller: CurrentUserContext, request: FastifyRequest): Promise<UserProfile> {
    const bytes = await this.readFile(request);
    const type = detectImageType(bytes);
    if (!type) throw avatarUnsupportedType();
    const fileName = `${createHash('sha256').update(bytes).digest('hex')}.${type.extension}`;
    await this.save(fileName, bytes);
    return this.writer.apply(caller, {
      avatarUrl: `${this.baseUrl(request)}${AVATAR_URL_PREFIX}${fileName}`,
    });
  }

  /**
   * The stored file an avatarUrl points at (`…/avatars/<sha256>.<ext>`, whatever its host: PUBLIC_BASE_URL,
   * the upload's Host, a CDN in front), or null for any other URL (WeChat's, say).
   */
  storedFileOf(avatarUrl: string | null): string | null {
    if (!avatarUrl || !URL.canParse(avatarUrl)) return null;
    const { pathname } = new URL(avatarUrl);
    const name = pathname.slice(pathname.lastIndexOf('/') + 1);
    return AVATAR_FILE_NAME.test(name) && pathname.endsWith(AVATAR_URL_PREFIX + name) ? name : null;
  }

  /** How other users' avatarUrls refer to a stored file: they contain this. */
  referenceTo(fileName: string): string {
    return AVATAR_URL_PREFIX + fileName;
  }

  /** Deletes a stored avatar file; already gone is fine. */
  async remove(fileName: string): Promise<void> {
    if (!AVATAR_FILE_NAME.test(fileName)) throw new Error(`not an avatar file name: ${fileName}`);
    await rm(join(this.config.avatarDir, fileName), { force: true });
  }

  /** The first file part of the multipart body, whatever its field name (`wx.uploadFile`'s `name`). */
  private async readFile(request: FastifyRequest): Promise<Buffer> {
    try {
      return await readFirstFile(request.raw, AVATAR_UPLOAD_LIMITS);
    } catch (error) {
      if (!(error instanceof MultipartFileError)) throw error;
      throw error.reason === 'too-large' ? avatarTooLarge(AVATAR_MAX_BYTES) : avatarMissing();
    }
  }

  /** Writes atomically (temp file + rename), so a concurrent reader never sees half an image. */
  private async save(fileName: string, bytes: Buffer): Promise<void> {
    const target = join(this.config.avatarDir, fileName);
    if (await exists(target)) return;
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

  /**
   * `PUBLIC_BASE_URL` when set. Otherwise the scheme and Host header of the upload itself, which is
   * right for development and tests (any port) and for a single host reached directly; behind a proxy
   * or CDN, set PUBLIC_BASE_URL.
   */
  private baseUrl(request: FastifyRequest): string {
    if (this.config.publicBaseUrl) return this.config.publicBaseUrl;
    const host = request.host;
    if (typeof host !== 'string' || !HOST_HEADER.test(host)) {
      throw badHostHeader();
    }
    return `${request.protocol}://${host}`;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
