import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export const LOGIN_CODE_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
export const LOGIN_APPID_PATTERN = /^wx[0-9a-f]{16}$/;

/** The login body. Validated by `parseLoginRequest` (see there for why not by decorators). @publicApi */
export class LoginRequestDto {
  @ApiProperty({
    description: 'The code from wx.login(); single use, valid 5 minutes',
    example: '0716AVll20uHk94SLDml27etM946AVlq',
    pattern: LOGIN_CODE_PATTERN.source,
  })
  code!: string;

  @ApiPropertyOptional({
    description: 'Which configured mini program; defaults to the first',
    example: 'wx4f4bc4dec97d474b',
    pattern: LOGIN_APPID_PATTERN.source,
  })
  appid?: string;
}
