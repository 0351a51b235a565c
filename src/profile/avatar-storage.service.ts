import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { AuditRecorder } from '../audit/audit-event.js';
import type { CurrentUserContext } from '../auth/index.js';
import { profileConfig } from '../config/profile.config.js';
import type { UserProfile } from '../user/user-profile.js';
import { AVATAR_MAX_BYTES, AVATAR_UPLOAD_LIMITS, AVATAR_URL_PREFIX } from './avatar.constants.js';
import { AvatarFileStore } from './avatar-file-store.js';
import { AvatarReferences } from './avatar-references.service.js';
import { AvatarImageError, reencodeAvatar, STORED_AVATAR_EXTENSION } from './avatar-image.js';
import { detectImageType } from './image-type.js';
import { MultipartFileError, readFirstFile } from './multipart-file.js';
import {
  avatarDimensionsTooLarge,
  avatarMissing,
  avatarStorageFull,
  avatarTooLarge,
  avatarUnsupportedType,
  avatarUploadsDisabled,
  badHostHeader,
} from './profile.errors.js';
import { recordProfileChange } from './profile-update.service.js';
import { ProfileWriter } from './profile-writer.service.js';

/** A Host header we are willing to put into a stored URL: a name or IP literal and an optional port. */
const HOST_HEADER = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * Stores the image a mini program picked with `open-type="chooseAvatar"` and uploaded with
 * `wx.uploadFile`, and points the caller's avatarUrl at it.
 *
 * The upload is decoded and re-encoded (avatar-image.ts), so only pixels are stored. The file is named
 * by the SHA-256 of the re-encoded bytes: a URL's content never changes (served as immutable) and two
 * users with the same picture share one file. The file the caller used before is let go
 * (ProfileWriter), so one user holds at most one stored avatar.
 */
@Injectable()
export class AvatarStorageService {
  constructor(
    private readonly writer: ProfileWriter,
    private readonly files: AvatarFileStore,
    private readonly references: AvatarReferences,
    @Inject(profileConfig.KEY) private readonly config: ConfigType<typeof profileConfig>,
    private readonly audit: AuditRecorder,
  ) {}

  async upload(caller: CurrentUserContext, request: FastifyRequest): Promise<UserProfile> {
    if (!this.config.uploadsEnabled) throw avatarUploadsDisabled();
    const baseUrl = this.baseUrl(request);
    if (!(await this.files.hasFreeSpace())) throw avatarStorageFull();
    const avatar = await this.reencode(await this.readFile(request));
    const fileName = `${createHash('sha256').update(avatar).digest('hex')}.${STORED_AVATAR_EXTENSION}`;
    await this.files.save(fileName, avatar);
    let profile: UserProfile;
    try {
      profile = await this.writer.apply(caller, { avatarUrl: `${baseUrl}${AVATAR_URL_PREFIX}${fileName}` });
    } catch (error) {
      // Not stored after all (503, user gone): no file nobody uses. No user has id 0.
      await this.references.releaseQuietly(fileName, 0);
      throw error;
    }
    // Another user may have let go of the same picture while this ran (AvatarReferences).
    if (!(await this.files.exists(fileName))) await this.files.save(fileName, avatar);
    recordProfileChange(this.audit, caller, ['avatarUrl'], request);
    return profile;
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

  /**
   * The magic bytes first: only PNG, JPEG and WebP ever reach the image library (no SVG, TIFF or other
   * formats libvips could parse). Then the decode and re-encode.
   */
  private async reencode(upload: Buffer): Promise<Buffer> {
    if (!detectImageType(upload)) throw avatarUnsupportedType();
    try {
      return await reencodeAvatar(upload, {
        size: this.config.avatarSize,
        maxSourceDimension: this.config.maxSourceDimension,
      });
    } catch (error) {
      if (!(error instanceof AvatarImageError)) throw error;
      throw error.reason === 'dimensions'
        ? avatarDimensionsTooLarge(this.config.maxSourceDimension)
        : avatarUnsupportedType();
    }
  }

  /**
   * `PUBLIC_BASE_URL`, always in production (configuration requires it there). Development and tests
   * only may leave it unset: then the scheme and Host header of the upload itself (any port).
   */
  private baseUrl(request: FastifyRequest): string {
    if (this.config.publicBaseUrl) return this.config.publicBaseUrl;
    const host = request.host;
    if (!this.config.hostHeaderFallback || typeof host !== 'string' || !HOST_HEADER.test(host)) {
      throw badHostHeader();
    }
    return `${request.protocol}://${host}`;
  }
}
