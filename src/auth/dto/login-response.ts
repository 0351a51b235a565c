import type { UserSnapshot } from '../session/session.store.js';

/** The answer of `POST /auth/login`. @publicApi */
export interface LoginResponse {
  /** Opaque session token; the client sends it as `Authorization: Bearer <token>`. */
  token: string;
  tokenType: 'Bearer';
  /** ISO time the session expires if unused (it slides with use, up to an absolute cap). */
  expiresAt: string;
  /** The users port's snapshot of the user (for this service: the public profile). */
  user: UserSnapshot | null;
}
