import {
  Injectable,
  Optional,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { tap, type Observable } from 'rxjs';
import { AuditRecorder } from '../audit/audit-event.js';
import { ApiException } from '../common/api.exception.js';
import { operatorOf } from './operator.guard.js';

interface OperatorRequest {
  method: string;
  routeOptions?: { url?: string };
  params?: Record<string, string>;
}

/**
 * Records every call an authenticated operator makes (`operator.call`): the operator's name, the route
 * template and the user it concerned. Never query values: a phone number searched for stays out of the
 * trail. Calls refused before this point (no or a wrong credential) are recorded by OperatorGuard.
 */
@Injectable()
export class OperatorAuditInterceptor implements NestInterceptor {
  constructor(@Optional() private readonly audit?: AuditRecorder) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<OperatorRequest>();
    const record = (outcome: string) => {
      const userId = Number(request.params?.id);
      this.audit?.record(
        {
          kind: 'operator.call',
          operator: operatorOf(request),
          userId: Number.isSafeInteger(userId) && userId > 0 ? userId : null,
          code: outcome === 'ok' ? null : outcome,
          detail: { route: `${request.method} ${request.routeOptions?.url ?? 'unmatched'}` },
        },
        request,
      );
    };
    return next.handle().pipe(
      tap({
        next: () => record('ok'),
        // Errors without a code of ours become one in ErrorResponseFilter, after this runs.
        error: (error: unknown) => record(error instanceof ApiException ? error.code : 'ERROR'),
      }),
    );
  }
}
