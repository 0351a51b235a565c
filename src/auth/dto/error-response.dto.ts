import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Swagger schema of every error body. @publicApi */
export class ErrorResponseDto {
  @ApiProperty({ example: 401 })
  statusCode!: number;

  @ApiProperty({ description: 'Stable machine-readable code', example: 'SESSION_INVALID' })
  code!: string;

  @ApiProperty({ example: 'No valid session token; call wx.login and log in again' })
  message!: string;

  @ApiPropertyOptional({
    description:
      'Also sent as X-Request-Id and logged with the request (absent in apps without our error filter)',
    example: '0b6f3c2e-6a51-4c1e-9d0f-5a7d2b3e9c41',
  })
  requestId?: string;
}
