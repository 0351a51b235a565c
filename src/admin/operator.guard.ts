import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { apiError } from '../common/error-catalogue.js';
import { adminConfig, type AdminConfig } from '../config/admin.config.js';
import { AuditRecorder } from '../audit/audit-event.js';
import { markTokenLookupFailed } from '../auth/index.js';

/** `Authorization: Bearer <credential>` (RFC 6750 token68 syntax), of a sane length. */
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]{1,256}=*)$/i;

/** Where OperatorGuard leaves the authenticated operator's name on the request. */
const OPERATOR_PROPERTY = Symbol('weapp-auth.operator');

/** The configured name of the operator who made this request (after OperatorGuard), or null. */
export function operatorOf(request: unknown): string | null {
  return ((request as Record<symbol, string | undefined>)[OPERATOR_PROPERTY] ?? null) as string | null;
}

/**
 * Lets a request through only with `Authorization: Bearer <operator credential>` from
 * `OPERATOR_CREDENTIALS`. Credentials are stored as SHA-256 hashes: the presented token is hashed and
 * looked up, so neither the configuration nor a timing difference gives a credential away (a lookup by
 * a hash tells nothing about the preimage). With no operators configured the routes do not exist (404).
 * A wrong credential counts as a failed token lookup for the address's guessing limit.
 */
@Injectable()
export class OperatorGuard implements CanActivate {
  constructor(
    @Inject(adminConfig.KEY) private readonly config: AdminConfig,
    @Optional() private readonly audit?: AuditRecorder,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.config.operatorsByHash.size === 0) {
      throw apiError('OPERATOR_API_DISABLED', 'The operator API is not configured on this service');
    }
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    const name = token && this.config.operatorsByHash.get(createHash('sha256').update(token).digest('hex'));
    if (!name) {
      if (token) markTokenLookupFailed(request);
      this.audit?.record(
        {
          kind: 'operator.call',
          code: 'OPERATOR_UNAUTHORIZED',
          detail: { credential: token ? 'wrong' : 'missing' },
        },
        request,
      );
      throw apiError(
        'OPERATOR_UNAUTHORIZED',
        'An operator credential is required: Authorization: Bearer <credential>',
        {
          'WWW-Authenticate': 'Bearer realm="operator"',
        },
      );
    }
    (request as unknown as Record<symbol, string>)[OPERATOR_PROPERTY] = name;
    return true;
  }
}
