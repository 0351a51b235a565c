import type {
  EncryptForClientInput,
  NextOAuthUserInput,
  FaultSpec,
  FaultType,
  MintLoginCodeInput,
  MintPhoneCodeInput,
} from './simulator-control.types.js';
import {
  optionalBoolean,
  optionalNumber,
  optionalString,
  requireObject,
  requireString,
  SimulatorInputError,
} from './simulator-input.js';
import {
  SIMULATOR_APP_KINDS,
  WECHAT_API_NAMES,
  type SimulatorApp,
  type SimulatorAppKind,
  type WechatApiName,
} from './wechat-simulator.options.js';

// Test data is checked, not shaped: a test may well use `o_alice`, but never an empty id or one
// with characters that would not survive a query string unescaped.
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

function id(input: Record<string, unknown>, key: string, optional = false): string | undefined {
  const value = optional ? optionalString(input, key) : requireString(input, key);
  if (value !== undefined && !ID_PATTERN.test(value)) {
    throw new SimulatorInputError(`${key} must be 1-64 chars of [A-Za-z0-9_-]`);
  }
  return value;
}

/** @internal */
export function parseApp(body: unknown): SimulatorApp {
  const input = requireObject(body);
  return {
    appid: id(input, 'appid')!,
    secret: requireString(input, 'secret'),
    openPlatformId: optionalString(input, 'openPlatformId'),
    ...appKind(input),
  };
}

/** `kind` and `redirectDomains`, only when given, so a mini program registers exactly as before. */
function appKind(input: Record<string, unknown>): Pick<SimulatorApp, 'kind' | 'redirectDomains'> {
  const out: Pick<SimulatorApp, 'kind' | 'redirectDomains'> = {};
  const kind = optionalString(input, 'kind');
  if (kind !== undefined) {
    if (!SIMULATOR_APP_KINDS.includes(kind as SimulatorAppKind)) {
      throw new SimulatorInputError(`kind must be one of ${SIMULATOR_APP_KINDS.join(', ')}`);
    }
    out.kind = kind as SimulatorAppKind;
  }
  const domains = input.redirectDomains;
  if (domains !== undefined) {
    if (
      !Array.isArray(domains) ||
      !domains.every((domain) => typeof domain === 'string' && /^[a-z0-9.-]+(:\d+)?$/i.test(domain))
    ) {
      throw new SimulatorInputError('redirectDomains must be an array of host names (optionally host:port)');
    }
    out.redirectDomains = [...(domains as string[])];
  }
  return out;
}

const SEX_VALUES = [0, 1, 2];

/** @internal */
export function parseNextOAuthUser(body: unknown): NextOAuthUserInput {
  const input = requireObject(body);
  const sex = optionalNumber(input, 'sex', { integer: true });
  if (sex !== undefined && !SEX_VALUES.includes(sex)) throw new SimulatorInputError('sex must be 0, 1 or 2');
  const headimgurl = input.headimgurl === '' ? '' : optionalString(input, 'headimgurl');
  return {
    appid: requireString(input, 'appid'),
    openid: id(input, 'openid', true),
    person: id(input, 'person', true),
    unionid: id(input, 'unionid', true),
    nickname: optionalString(input, 'nickname'),
    sex: sex as NextOAuthUserInput['sex'],
    province: optionalText(input, 'province'),
    city: optionalText(input, 'city'),
    country: optionalText(input, 'country'),
    headimgurl,
    snapshot: optionalBoolean(input, 'snapshot'),
  };
}

/** A string that may be empty (WeChat sends `""` for an unset province). */
function optionalText(input: Record<string, unknown>, key: string): string | undefined {
  return input[key] === '' ? '' : optionalString(input, key);
}

/** @internal */
export function parseMintLoginCode(body: unknown): MintLoginCodeInput {
  const input = requireObject(body);
  return {
    appid: requireString(input, 'appid'),
    openid: id(input, 'openid', true),
    person: id(input, 'person', true),
    unionid: id(input, 'unionid', true),
    riskBlocked: optionalBoolean(input, 'riskBlocked'),
  };
}

/** @internal */
export function parseMintPhoneCode(body: unknown): MintPhoneCodeInput {
  const input = requireObject(body);
  const phoneNumber = requireString(input, 'phoneNumber');
  if (!/^\d{4,20}$/.test(phoneNumber)) throw new SimulatorInputError('phoneNumber must be 4-20 digits');
  const countryCode = optionalString(input, 'countryCode') ?? '86';
  if (!/^\d{1,4}$/.test(countryCode)) throw new SimulatorInputError('countryCode must be 1-4 digits');
  return { appid: requireString(input, 'appid'), openid: id(input, 'openid')!, phoneNumber, countryCode };
}

/** @internal */
export function parseEncrypt(body: unknown): EncryptForClientInput {
  const input = requireObject(body);
  return {
    appid: requireString(input, 'appid'),
    openid: requireString(input, 'openid'),
    payload: requireObject(input.payload, 'payload'),
  };
}

const FAULT_TYPES: readonly FaultType[] = [
  'errcode',
  'delay',
  'hang',
  'http502',
  'http504',
  'truncated',
  'reset',
  'control-chars',
];

/** @internal */
export function parseFault(body: unknown): FaultSpec {
  const input = requireObject(body);
  const api = requireString(input, 'api');
  if (api !== '*' && !WECHAT_API_NAMES.includes(api as WechatApiName)) {
    throw new SimulatorInputError(`api must be one of ${WECHAT_API_NAMES.join(', ')} or *`);
  }
  const type = requireString(input, 'type') as FaultType;
  if (!FAULT_TYPES.includes(type))
    throw new SimulatorInputError(`type must be one of ${FAULT_TYPES.join(', ')}`);
  const errcode = optionalNumber(input, 'errcode', { integer: true });
  if (type === 'errcode' && (errcode === undefined || errcode === 0)) {
    throw new SimulatorInputError('type errcode needs a non-zero errcode');
  }
  const delayMs = optionalNumber(input, 'delayMs', { min: 0, max: 600_000 });
  if (type === 'delay' && delayMs === undefined) throw new SimulatorInputError('type delay needs delayMs');
  const times =
    input.times === 'unlimited'
      ? 'unlimited'
      : (optionalNumber(input, 'times', { min: 1, integer: true }) ?? 1);
  return {
    api: api as FaultSpec['api'],
    type,
    errcode,
    errmsg: optionalString(input, 'errmsg'),
    times,
    probability: optionalNumber(input, 'probability', { min: 0, max: 1 }),
    openid: optionalString(input, 'openid'),
    appid: optionalString(input, 'appid'),
    delayMs,
    consumeCode: optionalBoolean(input, 'consumeCode'),
  };
}

/** @internal */
export function parseAdvance(body: unknown): number {
  const seconds = optionalNumber(requireObject(body), 'advanceSeconds', { min: 0 });
  if (seconds === undefined) throw new SimulatorInputError('advanceSeconds must be a number >= 0');
  return seconds;
}

/** @internal */
export function parseWords(body: unknown): { words: string[]; label?: number } {
  const input = requireObject(body);
  const words = input.words;
  if (!Array.isArray(words) || !words.every((word) => typeof word === 'string' && word.length > 0)) {
    throw new SimulatorInputError('words must be an array of non-empty strings');
  }
  return { words: words as string[], label: optionalNumber(input, 'label', { min: 1, integer: true }) };
}
