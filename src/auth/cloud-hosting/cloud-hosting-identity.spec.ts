import { describe, expect, test } from '@jest/globals';
import { ApiException } from '../../common/api.exception.js';
import { readCloudHostingIdentity } from './cloud-hosting-identity.js';

const APPID = 'wx0123456789abcdef';
const OTHER_APPID = 'wx00000000000000b2';
const OPENID = 'oGZUI0egBJY1zhBYw2KhdUfwVJJE';
const UNIONID = 'ocMvos6NjeKLIBqg5Mr9QjxrP1FA';

const codeOf = (headers: Record<string, string | string[]>): string => {
  try {
    readCloudHostingIdentity(headers);
  } catch (error) {
    return error instanceof ApiException ? `${error.getStatus()} ${error.code}` : String(error);
  }
  return 'accepted';
};

describe('readCloudHostingIdentity', () => {
  test('a callContainer call from the mini program: appid, openid, unionid, kind mini_program', () => {
    expect(
      readCloudHostingIdentity({
        'x-wx-appid': APPID,
        'x-wx-openid': OPENID,
        'x-wx-unionid': UNIONID,
        'x-wx-source': 'wx_client',
        'x-wx-env': 'prod-0a1b2c',
      }),
    ).toEqual({ appid: APPID, openid: OPENID, unionid: UNIONID, kind: 'mini_program' });
  });

  test('no unionid header: none in the identity', () => {
    expect(
      readCloudHostingIdentity({ 'x-wx-appid': APPID, 'x-wx-openid': OPENID, 'x-wx-source': 'wx_devtools' }),
    ).toEqual({ appid: APPID, openid: OPENID, kind: 'mini_program' });
  });

  test('resource sharing: the X-WX-FROM-* caller, not the environment owner', () => {
    expect(
      readCloudHostingIdentity({
        'x-wx-appid': OTHER_APPID,
        'x-wx-from-appid': APPID,
        'x-wx-from-openid': OPENID,
        'x-wx-from-unionid': UNIONID,
        'x-wx-source': 'wx_client',
      }),
    ).toEqual({ appid: APPID, openid: OPENID, unionid: UNIONID, kind: 'mini_program' });
  });

  test.each([
    ['nothing', {}],
    ['no source', { 'x-wx-appid': APPID, 'x-wx-openid': OPENID }],
    ['an HTTP API source', { 'x-wx-appid': APPID, 'x-wx-openid': OPENID, 'x-wx-source': 'wx_http' }],
    [
      'a source chain started elsewhere',
      { 'x-wx-appid': APPID, 'x-wx-openid': OPENID, 'x-wx-source': 'scf,wx_client' },
    ],
    ['no openid', { 'x-wx-appid': APPID, 'x-wx-source': 'wx_client' }],
    ['an empty openid', { 'x-wx-appid': APPID, 'x-wx-openid': '', 'x-wx-source': 'wx_client' }],
    [
      'a repeated openid',
      { 'x-wx-appid': APPID, 'x-wx-openid': [OPENID, OPENID], 'x-wx-source': 'wx_client' },
    ],
    ['a malformed appid', { 'x-wx-appid': 'wxABC', 'x-wx-openid': OPENID, 'x-wx-source': 'wx_client' }],
    [
      'a malformed unionid',
      { 'x-wx-appid': APPID, 'x-wx-openid': OPENID, 'x-wx-unionid': 'a b', 'x-wx-source': 'wx_client' },
    ],
  ])('%s: 401 CLOUD_HOSTING_IDENTITY_MISSING', (_label, headers) => {
    expect(codeOf(headers)).toBe('401 CLOUD_HOSTING_IDENTITY_MISSING');
  });

  test('a chained source that starts with the mini program is accepted', () => {
    expect(codeOf({ 'x-wx-appid': APPID, 'x-wx-openid': OPENID, 'x-wx-source': 'wx_client,scf' })).toBe(
      'accepted',
    );
  });
});
