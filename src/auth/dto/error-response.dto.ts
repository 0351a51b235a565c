import { ApiProperty } from '@nestjs/swagger';

/** Swagger schema of every error body. @publicApi */
export class ErrorResponseDto {
  @ApiProperty({ example: 401 })
  statusCode!: number;

  @ApiProperty({ description: 'Stable machine-readable code', example: 'SESSION_INVALID' })
  code!: string;

  @ApiProperty({ example: 'No valid session token; call wx.login and log in again' })
  message!: string;
}
