import { describe, expect, test } from '@jest/globals';
import type { UpdateProfileDto } from './dto/update-profile.dto.js';
import { profilePatch } from './profile-update.service.js';
import {
  httpsWechatAvatarUrl,
  isWechatAnonymousAvatar,
  isWechatPlaceholderNickname,
  WECHAT_ANONYMOUS_AVATAR_URLS,
} from './wechat-user-info.js';

const GREY = WECHAT_ANONYMOUS_AVATAR_URLS[0];

describe("WeChat's anonymous userInfo placeholders", () => {
  test('the grey avatar matches over http and https and with every size suffix, nothing else does', () => {
    for (const size of ['0', '46', '64', '96', '132']) {
      expect(isWechatAnonymousAvatar(GREY.replace(/132$/, size))).toBe(true);
      expect(isWechatAnonymousAvatar(GREY.replace(/132$/, size).replace('https:', 'http:'))).toBe(true);
    }
    expect(isWechatAnonymousAvatar(` ${GREY} `)).toBe(true);
    expect(isWechatAnonymousAvatar(GREY.replace('POgEwh4', 'POgEwh5'))).toBe(false);
    expect(isWechatAnonymousAvatar(GREY.replace('thirdwx.qlogo.cn', 'cdn.example.com'))).toBe(false);
    expect(isWechatAnonymousAvatar('https://thirdwx.qlogo.cn/mmopen/vi_32/other/132')).toBe(false);
    expect(isWechatAnonymousAvatar('not a url')).toBe(false);
  });

  test('http avatar URLs become https on qlogo.cn only', () => {
    expect(httpsWechatAvatarUrl('http://wx.qlogo.cn/mmopen/vi_32/a/0')).toBe(
      'https://wx.qlogo.cn/mmopen/vi_32/a/0',
    );
    expect(httpsWechatAvatarUrl('http://cdn.example.com/a.png')).toBe('http://cdn.example.com/a.png');
    expect(httpsWechatAvatarUrl('http://evilqlogo.cn/a')).toBe('http://evilqlogo.cn/a');
    expect(httpsWechatAvatarUrl('javascript:alert(1)')).toBe('javascript:alert(1)');
  });

  test('the anonymous nickname and the empty one are placeholders, after trimming', () => {
    for (const value of ['微信用户', ' 微信用户\u3000', '', '   '])
      expect(isWechatPlaceholderNickname(value)).toBe(true);
    for (const value of ['微信用户😀', '微信用户1', '小明'])
      expect(isWechatPlaceholderNickname(value)).toBe(false);
  });
});

describe('profilePatch', () => {
  const patchOf = (dto: UpdateProfileDto) => profilePatch(dto);

  test('maps both spellings to the nickname column', () => {
    expect(patchOf({ nickName: '小明' })).toEqual({ nickname: '小明' });
    expect(patchOf({ nickname: '小明', nickName: '小明' })).toEqual({ nickname: '小明' });
  });

  test('drops every placeholder, keeps every real value of the same body', () => {
    expect(
      patchOf({
        nickName: '微信用户',
        avatarUrl: GREY,
        gender: 0,
        province: '',
        city: '',
        country: '',
        language: '',
      }),
    ).toEqual({});
    expect(patchOf({ nickName: '', avatarUrl: '', city: 'Guangzhou', gender: 1 })).toEqual({
      city: 'Guangzhou',
      gender: 1,
    });
    expect(patchOf({ nickname: '微信用户' })).toEqual({});
    expect(patchOf({ nickName: 'Band', city: 'Guangzhou', gender: 1, is_demote: true })).toEqual({});
    expect(patchOf({ nickName: 'Band', is_demote: false })).toEqual({ nickname: 'Band' });
  });

  test('gender 0 counts only in our own spelling; null clears avatar and region fields', () => {
    expect(patchOf({ nickName: 'a', gender: 0 })).toEqual({ nickname: 'a' });
    expect(patchOf({ nickname: 'a', gender: 0 })).toEqual({ nickname: 'a', gender: 0 });
    expect(patchOf({ gender: 0 })).toEqual({ gender: 0 });
    expect(patchOf({ avatarUrl: null, province: null, language: null })).toEqual({
      avatarUrl: null,
      province: null,
      language: null,
    });
  });
});
