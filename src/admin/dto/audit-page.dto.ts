import { ApiProperty, ApiPropertyOptional } from '../../swagger/api-docs.decorators.js';
import { Type } from 'class-transformer';
import { IsDateString, IsIn, IsInt, IsOptional, Max, Min } from '../../http/class-validator.js';
import { AUDIT_EVENT_KINDS, type AuditEventKind } from '../../audit/audit-event.js';

/** `GET /admin/audit` filters. */
export class AuditPageQuery {
  @ApiPropertyOptional({ example: 42 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  userId?: number;

  @ApiPropertyOptional({ enum: AUDIT_EVENT_KINDS, example: 'login.failed' })
  @IsOptional()
  @IsIn(AUDIT_EVENT_KINDS)
  kind?: AuditEventKind;

  @ApiPropertyOptional({ example: '2026-11-30T00:00:00.000Z', description: 'Only events before this time' })
  @IsOptional()
  @IsDateString()
  before?: string;

  @ApiPropertyOptional({ description: "The previous page's `next`" })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  after?: number;

  @ApiPropertyOptional({ example: 50, description: '1 to 200; default 50' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class AuditEventDto {
  @ApiProperty({ example: 1017 })
  id!: number;

  @ApiProperty({ example: '2026-11-30T08:00:00.123Z' })
  occurredAt!: string;

  @ApiProperty({ enum: AUDIT_EVENT_KINDS, example: 'login.succeeded' })
  kind!: AuditEventKind;

  @ApiProperty({ nullable: true, type: Number, example: 42 })
  userId!: number | null;

  @ApiProperty({ nullable: true, type: String, example: 'wx4f4bc4dec97d474b' })
  appid!: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'o_example_openid' })
  openid!: string | null;

  @ApiProperty({ nullable: true, type: String, example: null, description: 'Error code of a failure' })
  code!: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'alice', description: 'Operator who acted' })
  operator!: string | null;

  @ApiProperty({ nullable: true, type: String, example: '203.0.113.7', description: 'Client address' })
  ip!: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'Mozilla/5.0 (iPhone) MicroMessenger/8.0.50' })
  userAgent!: string | null;

  @ApiProperty({ nullable: true, type: String, example: '0b6f3c2e-6a51-4c1e-9d0f-5a7d2b3e9c41' })
  requestId!: string | null;

  @ApiProperty({ nullable: true, type: Object, example: { sessionId: 'Xc3lq0h2S8m1rT0a' } })
  detail!: Record<string, string | number | boolean | null> | null;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEventDto], example: [] })
  items!: AuditEventDto[];

  @ApiProperty({
    nullable: true,
    type: Number,
    example: 1017,
    description: 'Pass as `after` for older events',
  })
  next!: number | null;
}
