import { registerAs } from '@nestjs/config';
import { validateEnv } from './env.validation.js';

export interface AdminConfig {
  /**
   * Operators by the SHA-256 (hex) of their bearer credential, from `OPERATOR_CREDENTIALS`
   * (`name:sha256hex,…`). Empty: the operator API is off.
   */
  operatorsByHash: ReadonlyMap<string, string>;
}

export const adminConfig = registerAs('admin', (): AdminConfig => {
  const env = validateEnv(process.env);
  return { operatorsByHash: parseOperatorCredentials(env.OPERATOR_CREDENTIALS) };
});

/** `name:sha256hex` pairs, comma-separated (validated by env.validation.ts). */
export function parseOperatorCredentials(value: string | undefined): ReadonlyMap<string, string> {
  const operators = new Map<string, string>();
  for (const entry of (value ?? '').split(',').filter(Boolean)) {
    const [name, hash] = entry.trim().split(':');
    operators.set(hash.toLowerCase(), name);
  }
  return operators;
}
