import type { ExecutionContext } from '@nestjs/common';

/**
 * Work the host app wants started at the moment the session guard starts a request's session read,
 * before the session is known, e.g. counting the request against a per-session rate limit. Commands
 * it sends through the auth module's `RedisBatcher` (exported by the module) during `onLookup` leave
 * in the same write as the session read: one round trip for both instead of one each.
 *
 * Provide it where the auth module can see it (a global module, as the app's rate limiter does);
 * the guard calls it when present. `onLookup` must not throw and should stay cheap: it runs on every
 * request that carries a token, including tokens that then turn out to be unknown or expired. Keep
 * what it started on the request and pick it up in a later guard, which runs once the session is in.
 *
 * The auth module knows nothing of what the hook does: dependencies keep pointing from the app to
 * the module, never back.
 * @publicApi
 */
export abstract class SessionLookupHook {
  /** `tokenHash`: the SHA-256 the session is stored under; a session's one and only token, so it names the session. */
  abstract onLookup(context: ExecutionContext, tokenHash: string): void;
}
