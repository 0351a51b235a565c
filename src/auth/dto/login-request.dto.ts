import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';

/** @publicApi */
export class LoginRequestDto {
  @ApiProperty({
    description: 'The code from wx.login(); single use, valid 5 minutes',
    example: '0716AVll20uHk94SLDml27etM946AVlq',
  })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,128}$/, { message: 'code must be 1–128 characters of A–Z, a–z, 0–9, _ or -' })
  code!: string;

  @ApiPropertyOptional({
    description: 'Which configured mini program; defaults to the first',
    example: 'wx4f4bc4dec97d474b',
  })
  @IsOptional()
  @IsString()
  @Matches(/^wx[0-9a-f]{16}$/, { message: 'appid must be wx followed by 16 lowercase hex characters' })
  appid?: string;
}
