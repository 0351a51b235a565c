import { InvalidEnvironmentError, validateEnv } from '../../src/config/env.validation.js';

/** What validateEnv refuses in `env`, one line per problem; [] when it accepts it. */
export function problemsOf(env: Record<string, string>): string[] {
  try {
    validateEnv(env);
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) return error.problems;
    throw error;
  }
  return [];
}
