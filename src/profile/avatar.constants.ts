/** Largest avatar upload accepted, in bytes. @publicApi */
export const AVATAR_MAX_BYTES = 2 * 1024 * 1024;

/** What an avatar upload body may hold: wx.uploadFile sends one file and a few form fields. */
export const AVATAR_UPLOAD_LIMITS = { fileSize: AVATAR_MAX_BYTES, fields: 10, fieldSize: 1024, parts: 12 };

/** URL prefix under which the files in `AVATAR_DIR` are served. @publicApi */
export const AVATAR_URL_PREFIX = '/avatars/';

/** Exactly the names the avatar service writes: sha256 hex + extension (never its temp files). */
export const AVATAR_FILE_NAME = /^[0-9a-f]{64}\.(png|jpg|webp)$/;
