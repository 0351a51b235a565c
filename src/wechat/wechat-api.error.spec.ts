import { describe, expect, it } from '@jest/globals';
import {
  errcodeToKind,
  parseRid,
  retryAfterFor,
  WechatApiError,
  WechatErrorKind,
} from './wechat-api.error.js';

describe('errcodeToKind', () => {
  it.each([
    [-1, 'BUSY'],
    [40029, 'CODE_INVALID'],
    [41008, 'CODE_INVALID'],
    [40163, 'CODE_USED'],
    [40226, 'RISK_BLOCKED'],
    [45011, 'RATE_LIMITED'],
    [45009, 'RATE_LIMITED'],
    [40001, 'TOKEN_INVALID'],
    [40014, 'TOKEN_INVALID'],
    [42001, 'TOKEN_INVALID'],
    [87009, 'SIGNATURE_INVALID'],
    [40013, 'MISCONFIGURED'],
    [40125, 'MISCONFIGURED'],
    [40164, 'MISCONFIGURED'],
    [41002, 'MISCONFIGURED'],
    [41004, 'MISCONFIGURED'],
    [40002, 'MISCONFIGURED'],
    [48001, 'MISCONFIGURED'],
    [47001, 'MISCONFIGURED'],
    [12345, 'MALFORMED'],
    [40003, 'MALFORMED'],
  ])('%i → %s', (errcode, kind) => {
    expect(errcodeToKind(errcode)).toBe(kind);
  });

  it('exports every kind as a const object', () => {
    expect(Object.keys(WechatErrorKind).sort()).toEqual(
      [
        'BUSY',
        'CODE_INVALID',
        'CODE_USED',
        'MALFORMED',
        'MISCONFIGURED',
        'RATE_LIMITED',
        'RISK_BLOCKED',
        'SIGNATURE_INVALID',
        'TIMEOUT',
        'TOKEN_INVALID',
        'UNREACHABLE',
      ].sort(),
    );
    for (const [key, value] of Object.entries(WechatErrorKind)) expect(key).toBe(value);
  });
});

describe('parseRid', () => {
  it.each([
    ['invalid code, rid: 66c69111-2c5e6f0e-1b6a2f04', '66c69111-2c5e6f0e-1b6a2f04'],
    ['invalid code rid: 66C69111-2C5E6F0E-1B6A2F04', '66c69111-2c5e6f0e-1b6a2f04'],
    ['code been used, rid: 67f2a9b0-0a1b2c3d-4e5f6a7b', '67f2a9b0-0a1b2c3d-4e5f6a7b'],
    ['invalid credential hint: [abc] rid:66c69111-00000001-00000002', '66c69111-00000001-00000002'],
    ['invalid code, hints: [ req_id: 1Ab2Cd3E ]', '1Ab2Cd3E'],
    ['system error', undefined],
    ['', undefined],
    [undefined, undefined],
    [42, undefined],
  ])('%p → %p', (errmsg, rid) => {
    expect(parseRid(errmsg)).toBe(rid);
  });
});

describe('WechatApiError', () => {
  it('builds a message from api, errcode, kind and rid only', () => {
    const error = WechatApiError.fromErrcode(
      'jscode2session',
      40029,
      'invalid code, rid: 66c69111-2c5e6f0e-1b6a2f04',
    );
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('WechatApiError');
    expect(error.message).toBe(
      'jscode2session failed: errcode 40029 (CODE_INVALID), rid 66c69111-2c5e6f0e-1b6a2f04',
    );
    expect(error.stack).toContain('WechatApiError: jscode2session failed');
    expect(error).toMatchObject({ api: 'jscode2session', errcode: 40029, kind: 'CODE_INVALID' });
    expect(error.cause).toBeUndefined();
    expect(error.retryAfterSeconds).toBeUndefined();
  });

  it('describes transport failures with a sanitised detail', () => {
    const error = new WechatApiError({ api: 'checksession', kind: 'UNREACHABLE', detail: 'ECONNREFUSED' });
    expect(error.message).toBe('checksession failed: UNREACHABLE (ECONNREFUSED)');
    expect(error.errcode).toBeUndefined();
  });

  it('gives retry hints for rate limits and busy', () => {
    expect(WechatApiError.fromErrcode('jscode2session', 45011).retryAfterSeconds).toBe(60);
    expect(WechatApiError.fromErrcode('jscode2session', -1).retryAfterSeconds).toBe(1);
    // 45009 resets at 00:00 Beijing time (UTC+8) = 16:00 UTC.
    expect(retryAfterFor('RATE_LIMITED', 45009, Date.parse('2026-03-01T15:00:00Z'))).toBe(3600);
    expect(retryAfterFor('RATE_LIMITED', 45009, Date.parse('2026-03-01T16:00:00Z'))).toBe(86400);
    expect(retryAfterFor('TIMEOUT')).toBeUndefined();
  });
});
