import { ApiException } from './api.exception.js';
import { ERROR_CATALOGUE } from './error-catalogue.js';

/** One of the existing users a conflicting login points at, as much as the person may be shown. @publicApi */
export interface ConflictingAccount {
  /** Why this account is involved: it owns the login's identity, its unionid, and/or its verified phone. */
  matchedBy: ('identity' | 'unionid' | 'phone')[];
  /** The kinds and appids of the apps the account is known in, so the client can say "your shop account". */
  apps: { appid: string; kind: string }[];
  /** When the account was created (ISO 8601). */
  createdAt: string;
}

/**
 * The evidence of a login points at two different existing users; nothing was merged. The login answers
 * 409 `ACCOUNT_CONFLICT` with `conflict.accounts`; the same login with `merge: true` (or an operator)
 * merges them. Thrown by an {@link AuthUsersPort}.
 * @publicApi
 */
export class AccountConflictError extends ApiException {
  /**
   * `mergeable` false: the accounts cannot be merged by a login (two WeChat accounts in one app, or
   * two different unionids); only support can sort them out.
   */
  constructor(
    readonly accounts: ConflictingAccount[],
    readonly mergeable: boolean,
  ) {
    super(
      ERROR_CATALOGUE.ACCOUNT_CONFLICT.status,
      'ACCOUNT_CONFLICT',
      mergeable
        ? 'This login belongs to two of your accounts; log in again with merge: true to join them'
        : 'This login belongs to two accounts that cannot be joined automatically; contact support',
    );
  }

  override getResponse(): object {
    return {
      ...(super.getResponse() as object),
      conflict: { accounts: this.accounts, mergeable: this.mergeable },
    };
  }
}
