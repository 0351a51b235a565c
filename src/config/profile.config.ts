import { registerAs } from '@nestjs/config';
import { resolve } from 'node:path';
import { validateEnv } from './env.validation.js';

export interface ProfileConfig {
  /** Absolute directory holding uploaded avatars under content-addressed names. */
  avatarDir: string;
  /**
   * Origin (and optional path) under which `/avatars/<file>` is reachable, without a trailing slash.
   * Required in production (when uploads are enabled). Null, in development and tests only: each avatar URL
   * is built from the upload request's own scheme and Host header (ephemeral ports).
   */
  publicBaseUrl: string | null;
  /**
   * Whether an avatar URL may be built from the upload's Host header when `publicBaseUrl` is null: never
   * in production (configuration refuses that combination; this keeps the code from trusting it anyway).
   */
  hostHeaderFallback: boolean;
  /** Screen nicknames with WeChat's msg_sec_check before storing them. */
  contentCheck: boolean;
  /** False: `POST /users/me/avatar` answers 403 and nothing is written to `avatarDir`. */
  uploadsEnabled: boolean;
  /** Side of the square, in pixels, every stored avatar is re-encoded to. */
  avatarSize: number;
  /** Largest width or height an upload may declare (refused before decoding). */
  maxSourceDimension: number;
  /** Free bytes the avatar volume must keep; uploads are refused (507) below it. 0: no check. */
  minFreeBytes: number;
}

export const DEFAULT_AVATAR_DIR = 'data/avatars';
const MB = 1024 * 1024;

export const profileConfig = registerAs('profile', (): ProfileConfig => {
  const env = validateEnv(process.env);
  return {
    avatarDir: resolve(env.AVATAR_DIR ?? DEFAULT_AVATAR_DIR),
    publicBaseUrl: env.PUBLIC_BASE_URL?.replace(/\/+$/, '') ?? null,
    hostHeaderFallback: env.NODE_ENV !== 'production',
    contentCheck: env.WECHAT_CONTENT_CHECK ?? false,
    uploadsEnabled: env.AVATAR_UPLOADS_ENABLED ?? true,
    avatarSize: env.AVATAR_SIZE ?? 256,
    maxSourceDimension: env.AVATAR_MAX_DIMENSION ?? 6000,
    minFreeBytes: (env.AVATAR_MIN_FREE_MB ?? 512) * MB,
  };
});
