import { registerAs } from '@nestjs/config';
import { resolve } from 'node:path';
import { validateEnv } from './env.validation.js';

export interface ProfileConfig {
  /** Absolute directory holding uploaded avatars under content-addressed names. */
  avatarDir: string;
  /**
   * Origin (and optional path) under which `/avatars/<file>` is reachable, without a trailing slash.
   * Null: each avatar URL is built from the upload request's own scheme and Host header, which suits
   * development and tests (ephemeral ports); set it in production, behind a proxy or a CDN.
   */
  publicBaseUrl: string | null;
  /** Screen nicknames with WeChat's msg_sec_check before storing them. */
  contentCheck: boolean;
}

export const DEFAULT_AVATAR_DIR = 'data/avatars';

export const profileConfig = registerAs('profile', (): ProfileConfig => {
  const env = validateEnv(process.env);
  return {
    avatarDir: resolve(env.AVATAR_DIR ?? DEFAULT_AVATAR_DIR),
    publicBaseUrl: env.PUBLIC_BASE_URL?.replace(/\/+$/, '') ?? null,
    contentCheck: env.WECHAT_CONTENT_CHECK ?? false,
  };
});
