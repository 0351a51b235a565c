import { registerAs } from '@nestjs/config';
import { validateEnv } from './env.validation.js';

export interface MetricsConfig {
  /** `METRICS_ENABLED` (default true): false collects nothing and serves no `/metrics`. */
  enabled: boolean;
  /**
   * `METRICS_PORT`: serve `/metrics` on this port (on `HOST`), alone, instead of on the API port behind
   * an operator credential. 0 picks a free port. Undefined: on the API port.
   */
  port: number | undefined;
}

export const metricsConfig = registerAs('metrics', (): MetricsConfig => {
  const env = validateEnv(process.env);
  return { enabled: env.METRICS_ENABLED ?? true, port: env.METRICS_PORT };
});
