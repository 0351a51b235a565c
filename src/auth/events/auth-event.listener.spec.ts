import { describe, expect, test } from '@jest/globals';
import type { ResolvedAuthOptions } from '../auth-options.validation.js';
import { AuthEvents, type AuthEvent } from './auth-event.listener.js';

const optionsWith = (events: unknown) => ({ source: { events } }) as unknown as ResolvedAuthOptions;

describe('AuthEvents', () => {
  const event: AuthEvent = { kind: 'logout', appid: 'wx1', userId: 1, sessionId: 's1' };

  test('hands each event and its request to the listener', () => {
    const seen: unknown[] = [];
    const request = { ip: '203.0.113.1' };
    new AuthEvents(optionsWith({ onAuthEvent: (...args: unknown[]) => seen.push(args) })).emit(
      event,
      request,
    );
    expect(seen).toEqual([[event, request]]);
  });

  test('a listener that throws does not fail the request; no listener is fine too', () => {
    const throwing = {
      onAuthEvent: () => {
        throw new Error('audit broken');
      },
    };
    expect(() => new AuthEvents(optionsWith(throwing)).emit(event, {})).not.toThrow();
    expect(() => new AuthEvents(optionsWith(undefined)).emit(event, {})).not.toThrow();
  });
});
