import { ApiProperty } from '../../swagger/api-docs.decorators.js';
import { IsString, Matches } from '../../http/class-validator.js';

/** `POST /users/me/phone`. @publicApi */
export class BindPhoneDto {
  @ApiProperty({
    description:
      'The code from `<button open-type="getPhoneNumber">` (`e.detail.code`, base library ≥ 2.21.2); ' +
      'not the wx.login code. Single use, valid 5 minutes.',
    example: 'e31968a7f94cc5ee25fafc2aef2773f0bb8c3937b22520eb8ee345274d00c144',
  })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,128}$/, { message: 'code must be 1–128 characters of A–Z, a–z, 0–9, _ or -' })
  code!: string;
}
