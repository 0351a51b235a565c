import { ApiProperty } from '@nestjs/swagger';
import { UserProfileDto } from '../../user/dto/user-profile.dto.js';

/** @publicApi */
export class LoginResponseDto {
  @ApiProperty({
    description: 'Opaque session token; send as `Authorization: Bearer <token>`',
    example: 'q5L0u1cVZ3o4Jm2bWbq6r0m9yX8nTQ2mHk1Jv8pYc3E',
  })
  token!: string;

  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  tokenType!: 'Bearer';

  @ApiProperty({
    description: 'When the session expires if unused (it slides with use, up to an absolute cap)',
    example: '2026-11-28T06:00:00.000Z',
  })
  expiresAt!: string;

  @ApiProperty({ type: UserProfileDto })
  user!: UserProfileDto;
}
