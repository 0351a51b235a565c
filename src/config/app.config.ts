import { registerAs } from '@nestjs/config';
import { validateEnv, type NodeEnv } from './env.validation.js';

export interface AppConfig {
  nodeEnv: NodeEnv;
  isProduction: boolean;
  port: number;
  host: string;
}

export const appConfig = registerAs('app', (): AppConfig => {
  const env = validateEnv(process.env);
  const nodeEnv = env.NODE_ENV ?? 'development';
  const isProduction = nodeEnv === 'production';
  return {
    nodeEnv,
    isProduction,
    port: env.PORT ?? 3000,
    // Development binds to loopback so a laptop never exposes the simulator-backed dev server.
    host: env.HOST ?? (isProduction ? '0.0.0.0' : '127.0.0.1'),
  };
});
