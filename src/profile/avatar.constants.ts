/** Largest avatar upload accepted, in bytes (the multipart plugin's file limit). @publicApi */
export const AVATAR_MAX_BYTES = 2 * 1024 * 1024;

/** URL prefix under which the files in `AVATAR_DIR` are served. @publicApi */
export const AVATAR_URL_PREFIX = '/avatars/';
