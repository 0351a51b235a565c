import { describe, expect, test } from '@jest/globals';
import { InvalidEnvironmentError } from '../config/env.validation.js';
import { StartupLogGate } from '../logging/startup-log-gate.js';
import { DependencyUnavailableError, startupFailureLine, urlAddress } from './startup-failure.js';

describe('startupFailureLine', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:3306'), { code: 'ECONNREFUSED' });

  test('a dependency: one JSON line with cause, dependency and host:port; no stack by default', () => {
    const error = new DependencyUnavailableError('MySQL', urlAddress('mysql://app:s3cret@db:3306/x', 3306), {
      cause: refused,
    });
    const text = startupFailureLine(error, { stack: false });
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(text)).toMatchObject({
      level: 60,
      cause: 'ECONNREFUSED',
      dependency: 'MySQL',
      address: 'db:3306',
    });
    expect(text).not.toMatch(/s3cret|stack/);
  });

  test('a password quoted by the driver is redacted; the stack only on request, still one line', () => {
    const cause = Object.assign(new Error("Access denied (password 'hunter22')"), {
      code: 'ER_ACCESS_DENIED_ERROR',
    });
    const error = new DependencyUnavailableError('MySQL', 'db:3306', { cause, secret: 'hunter22' });
    const text = startupFailureLine(error, { stack: true });
    expect(text).not.toContain('hunter22');
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(text).stack).toMatch(/at /);
  });

  test('a bad environment lists its problems', () => {
    const text = startupFailureLine(new InvalidEnvironmentError(['REDIS_URL is required']), { stack: false });
    expect(JSON.parse(text)).toMatchObject({
      cause: 'INVALID_ENVIRONMENT',
      problems: ['REDIS_URL is required'],
    });
  });

  test('urlAddress: host:port of each node, default port, never userinfo', () => {
    expect(urlAddress('redis://:pw@127.0.0.1:6390', 6379)).toBe('127.0.0.1:6390');
    expect(urlAddress('redis://a:1,redis://b', 6379)).toBe('a:1,b:6379');
    expect(urlAddress('not a url', 6379)).toBe('(unparsable URL)');
  });
});

describe('StartupLogGate', () => {
  test('holds lines until open, then passes them through; discard drops them', () => {
    const written: string[] = [];
    const gate = new StartupLogGate({ write: (line: string) => void written.push(line) });
    gate.write('a\n');
    expect(written).toEqual([]);
    gate.open();
    gate.write('b\n');
    expect(written).toEqual(['a\n', 'b\n']);

    const failed = new StartupLogGate({ write: (line: string) => void written.push(line) });
    failed.write('c\n');
    expect(failed.discard()).toEqual(['c\n']);
    failed.write('d\n');
    expect(written).toEqual(['a\n', 'b\n']);
  });
});
