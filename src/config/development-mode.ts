import type { ConfigService } from '@nestjs/config';
import type { AllConfig } from './config.type.js';

/** Lists the development fallbacks in use, one human line each; empty in a fully configured deployment. */
export function developmentFallbacks(config: ConfigService<AllConfig, true>): string[] {
  const lines: string[] = [];
  const database = config.get('database', { infer: true });
  if (database.kind === 'sqlite')
    lines.push(`database: embedded SQLite file ${database.path} (set DATABASE_URL)`);
  if (!config.get('redis', { infer: true }).url)
    lines.push('sessions: in-process store, lost on restart (set REDIS_URL)');
  const wechat = config.get('wechat', { infer: true });
  if (wechat.useSimulator) {
    lines.push(
      `WeChat: built-in simulator at ${wechat.baseUrl}, NOT WeChat (set WECHAT_APPID, WECHAT_SECRET)`,
    );
  }
  return lines;
}
