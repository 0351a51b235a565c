/** Largest avatar upload accepted, in bytes. @publicApi */
export const AVATAR_MAX_BYTES = 2 * 1024 * 1024;

/** What an avatar upload body may hold: wx.uploadFile sends one file and a few form fields. */
export const AVATAR_UPLOAD_LIMITS = { fileSize: AVATAR_MAX_BYTES, fields: 10, fieldSize: 1024, parts: 12 };

/** URL prefix under which the files in `AVATAR_DIR` are served. @publicApi */
export const AVATAR_URL_PREFIX = '/avatars/';

/**
 * Exactly the names the avatar service writes: sha256 hex + extension (never its temp files). New files
 * are all `.jpg` (re-encoded); `.png` and `.webp` are files stored as uploaded before re-encoding began.
 */
export const AVATAR_FILE_NAME = /^[0-9a-f]{64}\.(png|jpg|webp)$/;

/**
 * The stored file an avatarUrl points at (`…/avatars/<sha256>.<ext>`, whatever its host: PUBLIC_BASE_URL,
 * a CDN in front, the Host of a development upload), or null for any other URL (WeChat's, say).
 */
export function storedAvatarFileOf(avatarUrl: string | null | undefined): string | null {
  if (!avatarUrl || !URL.canParse(avatarUrl)) return null;
  const { pathname } = new URL(avatarUrl);
  const name = pathname.slice(pathname.lastIndexOf('/') + 1);
  return AVATAR_FILE_NAME.test(name) && pathname.endsWith(AVATAR_URL_PREFIX + name) ? name : null;
}
