import { ApiProperty } from '@nestjs/swagger';
import type { SessionRecord } from '../session/session.store.js';
import { expiresAt } from '../session/session.service.js';

/** One of the caller's sessions, as listed to them: never a token or its hash. @publicApi */
export class SessionSummaryDto {
  @ApiProperty({ example: 'Xq3v9JkT2bN8aLp0' })
  id!: string;

  @ApiProperty({ description: 'True for the session making this request', example: true })
  current!: boolean;

  @ApiProperty({ example: '2026-11-21T06:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '2026-11-21T07:10:00.000Z' })
  lastSeenAt!: string;

  @ApiProperty({ example: '2026-11-28T07:10:00.000Z' })
  expiresAt!: string;

  @ApiProperty({
    nullable: true,
    type: String,
    example: 'Mozilla/5.0 (iPhone) MicroMessenger/8.0.50 miniProgram',
  })
  userAgent!: string | null;
}

export function mapSessionSummary(record: SessionRecord, currentSessionId: string): SessionSummaryDto {
  return {
    id: record.id,
    current: record.id === currentSessionId,
    createdAt: new Date(record.createdAt).toISOString(),
    lastSeenAt: new Date(record.lastSeenAt).toISOString(),
    expiresAt: new Date(expiresAt(record)).toISOString(),
    userAgent: record.userAgent,
  };
}
