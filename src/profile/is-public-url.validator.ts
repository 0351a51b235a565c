import {
  registerDecorator,
  type ValidationArguments,
  type ValidationOptions,
} from '../http/class-validator.js';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses no client should be sent to for a profile picture: they reach the viewer's own machine or
 * network (loopback, private, carrier-grade NAT, link-local incl. cloud metadata 169.254.169.254,
 * unspecified, multicast, reserved, documentation ranges) or embed such an IPv4 address (NAT64, 6to4).
 * IPv4-mapped IPv6 literals (`[::ffff:127.0.0.1]`) are matched by the IPv4 rules (node:net BlockList).
 */
const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible form
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

export type PublicUrlProblem = 'userinfo' | 'non_public_host';

/**
 * What makes `value` unfit as a URL that clients load (`avatarUrl`): credentials in it, or a host that
 * is `localhost`, `*.localhost` or a non-public IP literal (in any spelling the WHATWG parser
 * normalises, e.g. `https://2130706433/` is 127.0.0.1). Null when fine, and for anything that is not a
 * URL at all (the format and the https scheme are IsUrl's to report). Host names are not resolved:
 * the server never fetches these URLs, the mini program does.
 */
export function publicUrlProblem(value: string): PublicUrlProblem | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  // On the raw text: the parser drops an empty userinfo (`https://@host/`, `https://:@host/`).
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(value)?.[1] ?? '';
  if (url.username || url.password || authority.includes('@')) return 'userinfo';
  const host = url.hostname.replace(/\.$/, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'non_public_host';
  const literal = host.startsWith('[') ? host.slice(1, -1) : host;
  const family = isIP(literal);
  if (family !== 0 && NON_PUBLIC.check(literal, family === 4 ? 'ipv4' : 'ipv6')) return 'non_public_host';
  return null;
}

const MESSAGES: Record<PublicUrlProblem, (property: string) => string> = {
  userinfo: (property) => `${property} must not contain a user name or password`,
  non_public_host: (property) =>
    `${property} must not point at localhost or a loopback, private, link-local or unspecified address`,
};

/** A URL without credentials whose host is public: see {@link publicUrlProblem}. Pair it with IsUrl. */
export function IsPublicUrl(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isPublicUrl',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || publicUrlProblem(value) === null,
        defaultMessage: ({ value, property }: ValidationArguments) =>
          MESSAGES[publicUrlProblem(String(value)) ?? 'non_public_host'](property),
      },
    });
}
