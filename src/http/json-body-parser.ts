import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RawServerDefault } from 'fastify';
import { apiError } from '../common/error-catalogue.js';

/**
 * Deepest array/object nesting a JSON body may have. Our bodies are flat (the deepest, a WeChat
 * userInfo object, has one level), so 64 is generous for clients and far below what overflows
 * class-transformer's recursion: 5000 levels fit in 10 kB and used to answer 500 with a stack in the log.
 */
export const JSON_MAX_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * True when `body` nests arrays/objects more than `limit` levels deep. One pass over the bytes;
 * brackets inside strings do not count (UTF-8 continuation bytes are ≥ 0x80, so never taken for
 * ASCII). Malformed JSON is left to the parser. A body of `limit` bytes or fewer cannot exceed it, so
 * a login body is never scanned.
 */
export function exceedsJsonDepth(body: Uint8Array, limit: number): boolean {
  if (body.length <= limit) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/**
 * `application/json` through Fastify's own parser (secure-json-parse, so `__proto__` and
 * `constructor.prototype` keys stay refused with 400 BAD_REQUEST), after the depth check above, which
 * answers 400 `VALIDATION_FAILED`. Registered through Nest, which then adds no JSON parser of its own.
 */
export function registerJsonBodyParser(app: NestFastifyApplication, maxDepth = JSON_MAX_DEPTH): void {
  const fastify = app.getHttpAdapter().getInstance();
  const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  const parseJson = fastify.getDefaultJsonParser(
    onProtoPoisoning ?? 'error',
    onConstructorPoisoning ?? 'error',
  );
  app.useBodyParser<RawServerDefault>('application/json', {}, (request, body, done) => {
    if (exceedsJsonDepth(body, maxDepth)) {
      done(apiError('VALIDATION_FAILED', `The JSON body is nested more than ${maxDepth} levels deep`));
      return;
    }
    // Typed for strings; secure-json-parse takes the Buffer as it is (Nest's default parser does the same).
    void parseJson(request, body as unknown as string, done);
  });
}
