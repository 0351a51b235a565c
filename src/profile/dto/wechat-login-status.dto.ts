import { ApiProperty } from '../../swagger/api-docs.decorators.js';

/** `POST /auth/session-key/check`. @publicApi */
export class WechatLoginStatusDto {
  @ApiProperty({
    description:
      'False when WeChat no longer accepts the key saved at your last login (or none is saved): call ' +
      'wx.login and log in again before a phone-number or decryption step.',
    example: true,
  })
  valid!: boolean;
}
