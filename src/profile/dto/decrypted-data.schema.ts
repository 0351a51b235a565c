import type { SchemaObject } from '../../swagger/api-docs.decorators.js';

/**
 * `POST /users/me/decrypt` answers with the decrypted object itself, whose shape depends on the API
 * that produced it (user info, legacy phone number, WeRun, share info), minus `watermark` and the
 * WeChat identifiers (`openId`, `unionId`), which never leave the server.
 */
export const DECRYPTED_DATA_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: true,
  description:
    'The decrypted payload without `watermark`, `openId` and `unionId`. Shape depends on the source API.',
  example: {
    nickName: 'Band',
    gender: 1,
    language: 'zh_CN',
    city: 'Guangzhou',
    province: 'Guangdong',
    country: 'CN',
    avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/example/132',
  },
};
