import { Controller, Get, Logger, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '../swagger/api-docs.decorators.js';
import { AuditQuery } from '../audit/audit.query.js';
import { ValidQuery } from '../http/validated-body.decorator.js';
import { ApiErrorCodes } from '../profile/profile-api.decorators.js';
import { userDatabaseCall } from '../profile/user-database-call.js';
import { AuditPageDto, AuditPageQuery } from './dto/audit-page.dto.js';
import { OperatorAuditInterceptor } from './operator-audit.interceptor.js';
import { OperatorOnly } from './operator-only.decorator.js';

const DEFAULT_PAGE_SIZE = 50;

/** The audit trail, for operators. Reading it is itself audited. */
@ApiTags('admin')
@OperatorOnly()
@ApiErrorCodes('OPERATOR_UNAUTHORIZED', 'OPERATOR_API_DISABLED')
@UseInterceptors(OperatorAuditInterceptor)
@Controller('admin/audit')
export class AdminAuditController {
  private readonly logger = new Logger(AdminAuditController.name);

  constructor(private readonly audit: AuditQuery) {}

  @Get()
  @ApiOperation({
    summary: 'Read the audit trail, newest first (paged)',
    description:
      'Every auth event and operator call: time, kind, user, identity, client address, user agent, request ' +
      'id, error code, operator. Never a token, session_key, login code or phone number.',
  })
  @ApiOkResponse({ type: AuditPageDto })
  @ApiErrorCodes('VALIDATION_FAILED', 'DATABASE_UNAVAILABLE')
  async find(@ValidQuery() query: AuditPageQuery): Promise<AuditPageDto> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await userDatabaseCall(this.logger, 'audit read', () =>
      this.audit.find({
        userId: query.userId,
        kind: query.kind,
        before: query.before === undefined ? undefined : new Date(query.before),
        beforeId: query.after,
        limit,
      }),
    );
    return {
      items: rows.map((row) => ({ ...row, occurredAt: row.occurredAt.toISOString() })),
      next: rows.length === limit ? rows[rows.length - 1].id : null,
    };
  }
}
