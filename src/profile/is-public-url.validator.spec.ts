import { describe, expect, test } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { UpdateProfileDto } from './dto/update-profile.dto.js';
import { publicUrlProblem } from './is-public-url.validator.js';

describe('publicUrlProblem', () => {
  test.each([
    'https://user:pass@cdn.example.com/a.png',
    'https://user@cdn.example.com/a.png',
    'https://@cdn.example.com/a.png',
    'https://:@cdn.example.com/a.png',
  ])('%s carries credentials', (url) => {
    expect(publicUrlProblem(url)).toBe('userinfo');
  });

  test.each([
    'https://localhost/a.png',
    'https://LOCALHOST./a.png',
    'https://app.localhost/a.png',
    'https://127.0.0.1/a.png',
    'https://127.1.2.3/a.png',
    'https://2130706433/a.png',
    'https://0x7f.1/a.png',
    'https://0.0.0.0/a.png',
    'https://10.1.2.3/a.png',
    'https://172.16.0.1/a.png',
    'https://172.31.255.255/a.png',
    'https://192.168.1.1/a.png',
    'https://100.64.0.1/a.png',
    'https://169.254.169.254/latest/meta-data',
    'https://224.0.0.1/a.png',
    'https://255.255.255.255/a.png',
    'https://[::]/a.png',
    'https://[::1]/a.png',
    'https://[::ffff:127.0.0.1]/a.png',
    'https://[::ffff:10.0.0.1]/a.png',
    'https://[fc00::1]/a.png',
    'https://[fd12:3456::1]/a.png',
    'https://[fe80::1]/a.png',
    'https://[ff02::1]/a.png',
    'https://[64:ff9b::7f00:1]/a.png',
    'https://[2002:7f00:1::]/a.png',
  ])('%s is not a public host', (url) => {
    expect(publicUrlProblem(url)).toBe('non_public_host');
  });

  test.each([
    'https://cdn.example.com/a.png',
    'https://thirdwx.qlogo.cn/mmopen/vi_32/abc/132',
    'https://8.8.8.8/a.png',
    'https://172.32.0.1/a.png',
    'https://[2001:4860:4860::8888]/a.png',
    'https://localhost.example.com/a.png',
    'https://cdn.example.com/a@b.png',
    'https://cdn.example.com/a.png?by=a@b',
    'not a url',
  ])('%s passes (format is IsUrl’s job)', (url) => {
    expect(publicUrlProblem(url)).toBeNull();
  });
});

describe('UpdateProfileDto.avatarUrl', () => {
  const problems = (avatarUrl: unknown) =>
    validateSync(plainToInstance(UpdateProfileDto, { avatarUrl }), { whitelist: true }).flatMap((error) =>
      Object.values(error.constraints ?? {}),
    );

  test('https only, no credentials, no private hosts', () => {
    expect(problems('http://cdn.example.com/a.png')).toEqual(['avatarUrl must be an https URL']);
    expect(problems('ftp://cdn.example.com/a.png')).toEqual(['avatarUrl must be an https URL']);
    expect(problems('https://user:pass@cdn.example.com/a.png')).toEqual([
      'avatarUrl must not contain a user name or password',
    ]);
    expect(problems('https://192.168.0.10/a.png')).toEqual([
      'avatarUrl must not point at localhost or a loopback, private, link-local or unspecified address',
    ]);
    expect(problems('https://[::1]/a.png').length).toBeGreaterThan(0);
    expect(problems('https://localhost/a.png').length).toBeGreaterThan(0);
  });

  test('public https URLs, WeChat http avatars (upgraded) and null pass', () => {
    expect(problems('https://cdn.example.com/a.png')).toEqual([]);
    expect(problems(null)).toEqual([]);
    const dto = plainToInstance(UpdateProfileDto, { avatarUrl: 'http://thirdwx.qlogo.cn/mmopen/abc/132' });
    expect(dto.avatarUrl).toBe('https://thirdwx.qlogo.cn/mmopen/abc/132');
    expect(validateSync(dto)).toEqual([]);
  });
});

describe('UpdateProfileDto.nickname', () => {
  test('is stored NFC-normalised, and both spellings are checked', () => {
    const dto = plainToInstance(UpdateProfileDto, { nickname: ' Rene\u0301 ', nickName: 'Ren\u00E9' });
    expect(dto.nickname).toBe('Ren\u00E9');
    expect(validateSync(dto)).toEqual([]);
    const bidi = plainToInstance(UpdateProfileDto, { nickName: 'Ann\u202Egnp.exe' });
    expect(validateSync(bidi).flatMap((e) => Object.values(e.constraints ?? {}))).toEqual([
      expect.stringContaining('nickName must not contain bidirectional control characters'),
    ]);
  });
});
