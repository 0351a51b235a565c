import { createHash, randomBytes } from 'node:crypto';

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_CHARS = ALPHANUMERIC + '_-';

/**
 * Random source for everything the simulator invents. With a seed it is a SHA-256 counter stream,
 * so a test that performs the same calls in the same order gets the same codes, keys and tokens.
 *
 * @internal
 */
export class SimulatorRandom {
  private counter = 0;
  private pool = Buffer.alloc(0);

  constructor(private readonly seed?: string | number) {}

  bytes(length: number): Buffer {
    if (this.seed === undefined) return randomBytes(length);
    while (this.pool.length < length) {
      const block = createHash('sha256').update(`${this.seed}:${this.counter++}`).digest();
      this.pool = Buffer.concat([this.pool, block]);
    }
    const out = this.pool.subarray(0, length);
    this.pool = this.pool.subarray(length);
    return Buffer.from(out);
  }

  /** A float in [0, 1). */
  fraction(): number {
    return this.bytes(4).readUInt32BE(0) / 2 ** 32;
  }

  hex(length: number): string {
    return this.bytes(Math.ceil(length / 2))
      .toString('hex')
      .slice(0, length);
  }

  /** `length` characters from `alphabet` (modulo bias is irrelevant for test identifiers). */
  chars(length: number, alphabet: string): string {
    const bytes = this.bytes(length);
    let out = '';
    for (const byte of bytes) out += alphabet[byte % alphabet.length];
    return out;
  }

  /** wx.login code: 32 chars `[0-9A-Za-z]` (docs/wechat-api-notes.md §1.2). */
  loginCode(): string {
    return this.chars(32, ALPHANUMERIC);
  }

  /** getPhoneNumber button code: 64 lowercase hex. */
  phoneCode(): string {
    return this.hex(64);
  }

  /** openid / unionid: 28 chars starting with `o`, charset `[A-Za-z0-9_-]`. */
  openid(): string {
    return 'o' + this.chars(27, ID_CHARS);
  }

  /** session_key: base64 of 16 random bytes (24 chars, `==` padded). */
  sessionKey(): string {
    return this.bytes(16).toString('base64');
  }

  /** access_token: `<n>_` + 133 base64url-ish chars, 136 in all as observed. */
  accessToken(): string {
    const prefix = 10 + (this.bytes(1)[0] % 90);
    return `${prefix}_${this.chars(133, ID_CHARS)}`;
  }

  /** `%08x-%08x-%08x`, first group the unix time: the shape of WeChat's `rid` and `trace_id`. */
  rid(nowMs: number): string {
    const seconds = Math.floor(nowMs / 1000)
      .toString(16)
      .padStart(8, '0');
    return `${seconds}-${this.hex(8)}-${this.hex(8)}`;
  }
}

/** Derives a stable unionid for a user of an Open Platform account when the test did not choose one. */
export function deriveUnionid(openPlatformId: string, appid: string, openid: string): string {
  const digest = createHash('sha256').update(`${openPlatformId}\n${appid}\n${openid}`).digest('base64url');
  return 'o' + digest.slice(0, 27);
}

/** The openid a test-chosen person id has in one app: stable, different per app as on WeChat. */
export function derivePersonOpenid(appid: string, person: string): string {
  const digest = createHash('sha256').update(`person\n${appid}\n${person}`).digest('base64url');
  return 'o' + digest.slice(0, 27);
}

/** The unionid of a test-chosen person id: the same in every app of one Open Platform account. */
export function derivePersonUnionid(openPlatformId: string, person: string): string {
  const digest = createHash('sha256').update(`person\n${openPlatformId}\n${person}`).digest('base64url');
  return 'o' + digest.slice(0, 27);
}
