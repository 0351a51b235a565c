import { describe, expect, it } from '@jest/globals';
import { WechatApiError } from './wechat-api.error.js';
import {
  checkWechatBody,
  normalizeErrcode,
  parseLenientJson,
  redact,
  requireNumber,
  requireString,
} from './wechat-response.parser.js';

function caught(run: () => unknown): WechatApiError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WechatApiError);
    return error as WechatApiError;
  }
  throw new Error('expected a WechatApiError');
}

describe('parseLenientJson', () => {
  it('parses strict JSON unchanged', () => {
    expect(parseLenientJson('{"a":"x\\ny","b":1}')).toEqual({ a: 'x\ny', b: 1 });
  });

  it('strips raw control characters when strict parsing fails', () => {
    expect(parseLenientJson('{"openid":"o1\u0001","session_key":"k\u0000ey\u001f=="}\u0007')).toEqual({
      openid: 'o1',
      session_key: 'key==',
    });
    expect(parseLenientJson('{"errmsg":"line\nbreak\u0085"}')).toEqual({ errmsg: 'linebreak' });
  });

  it('rejects non-objects and garbage', () => {
    for (const text of ['', '[]', '"x"', '42', 'null', '<html>502 Bad Gateway</html>', '{"a":']) {
      expect(parseLenientJson(text)).toBeUndefined();
    }
  });
});

describe('normalizeErrcode', () => {
  it.each([
    [undefined, 0],
    [null, 0],
    [0, 0],
    [40029, 40029],
    [-1, -1],
    ['40029', 40029],
    ['-1', -1],
    [' 0 ', 0],
  ])('%p → %p', (input, expected) => {
    expect(normalizeErrcode(input)).toBe(expected);
  });

  it.each([['abc'], ['40029x'], [1.5], [true], [{}], ['']])('%p is unusable', (input) => {
    expect(normalizeErrcode(input)).toBeNaN();
  });
});

describe('checkWechatBody', () => {
  it('treats absent errcode as success', () => {
    expect(checkWechatBody('jscode2session', '{"openid":"o","session_key":"k"}', [])).toEqual({
      openid: 'o',
      session_key: 'k',
    });
  });

  it('accepts errcode 0 as int or string', () => {
    expect(checkWechatBody('checksession', '{"errcode":0,"errmsg":"ok"}', [])).toMatchObject({ errcode: 0 });
    expect(checkWechatBody('checksession', '{"errcode":"0","errmsg":"ok"}', [])).toMatchObject({
      errcode: '0',
    });
  });

  it('maps a numeric-string errcode and pulls the rid', () => {
    const error = caught(() =>
      checkWechatBody(
        'jscode2session',
        '{"errcode":"40163","errmsg":"code been used, rid: 66c69111-2c5e6f0e-1b6a2f04"}',
        [],
      ),
    );
    expect(error).toMatchObject({ errcode: 40163, kind: 'CODE_USED', rid: '66c69111-2c5e6f0e-1b6a2f04' });
  });

  it('answers MALFORMED for non-JSON and odd errcodes without quoting the body', () => {
    const secretBody = '{"session_key":"SECRETKEY1234=="';
    const error = caught(() => checkWechatBody('jscode2session', secretBody, []));
    expect(error.kind).toBe('MALFORMED');
    expect(error.message).not.toContain('SECRETKEY');
    expect(caught(() => checkWechatBody('jscode2session', '{"errcode":"x"}', [])).kind).toBe('MALFORMED');
  });

  it('redacts request credentials WeChat might echo in errmsg', () => {
    const error = caught(() =>
      checkWechatBody(
        'jscode2session',
        '{"errcode":40029,"errmsg":"invalid code 0716AVll20uHk94SLDml27etM946AVlq"}',
        ['some-secret', '0716AVll20uHk94SLDml27etM946AVlq'],
      ),
    );
    expect(error.errmsg).toBe('invalid code [redacted]');
  });
});

describe('redact', () => {
  it('replaces raw and URL-encoded forms, skips tiny values, caps length', () => {
    expect(redact('a tok+en/== b tok%2Ben%2F%3D%3D', ['tok+en/=='])).toBe('a [redacted] b [redacted]');
    expect(redact('abc', ['ab', undefined, ''])).toBe('abc');
    expect(redact('x'.repeat(1000), []).length).toBeLessThanOrEqual(301);
  });
});

describe('required fields', () => {
  it('throws MALFORMED naming the missing field', () => {
    expect(caught(() => requireString('jscode2session', { session_key: 'k' }, 'openid')).detail).toBe(
      'missing openid',
    );
    expect(caught(() => requireString('jscode2session', { openid: '' }, 'openid')).kind).toBe('MALFORMED');
    expect(requireNumber('stable_token', { expires_in: '7200' }, 'expires_in')).toBe(7200);
    expect(caught(() => requireNumber('stable_token', { expires_in: 'soon' }, 'expires_in')).kind).toBe(
      'MALFORMED',
    );
  });
});
