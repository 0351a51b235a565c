import { registerAs } from '@nestjs/config';
import { validateEnv, type EnvironmentVariables } from './env.validation.js';

export interface SwaggerConfig {
  /** Serve the UI at `/docs` and the OpenAPI document at `/docs-json`. */
  enabled: boolean;
}

/**
 * On outside production; in production only with `SWAGGER_ENABLED=true`: the document maps every
 * route and error of the service, which an admin wants and a scanner should not get for free.
 */
export function isSwaggerEnabled(env: Pick<EnvironmentVariables, 'NODE_ENV' | 'SWAGGER_ENABLED'>): boolean {
  return env.SWAGGER_ENABLED ?? env.NODE_ENV !== 'production';
}

export const swaggerConfig = registerAs('swagger', (): SwaggerConfig => ({
  enabled: isSwaggerEnabled(validateEnv(process.env)),
}));
