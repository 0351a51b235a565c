import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { developmentBanner, loginCommand } from './development-banner.js';

const API = 'http://127.0.0.1:3000';
const SIMULATOR = 'http://127.0.0.1:3001';
const APPID = 'wx0123456789abcdef';

describe('developmentBanner', () => {
  test('a few plain lines: API, docs, simulator, the fallbacks and one login command', () => {
    const banner = developmentBanner({
      apiUrl: API,
      docsUrl: `${API}/docs`,
      simulator: { url: SIMULATOR, appid: APPID },
      fallbacks: ['sessions: in-process store, lost on restart (set REDIS_URL)'],
    });
    expect(banner).not.toContain('\u001b['); // no colour codes
    expect(banner).toContain(`  API        ${API}\n`);
    expect(banner).toContain(`  API docs   ${API}/docs\n`);
    expect(banner).toContain(`  Simulator  ${SIMULATOR} `);
    expect(banner).toContain('  - sessions: in-process store');
    expect(banner).toContain(`  ${loginCommand(API, SIMULATOR, APPID)}\n`);
    expect(banner.trim().split('\n').length).toBeLessThanOrEqual(10);
  });

  test('without the simulator (real WeChat credentials) there is no login command', () => {
    const banner = developmentBanner({ apiUrl: API, fallbacks: ['database: embedded SQLite file x'] });
    expect(banner).not.toContain('node -e');
    expect(banner).not.toContain('API docs');
  });

  test('the login command pastes into a POSIX shell (no single quote inside) and is the README one', () => {
    const command = loginCommand(API, SIMULATOR, APPID);
    expect(command.slice("node -e '".length, -1)).not.toContain("'");
    expect(readFileSync('README.md', 'utf8')).toContain(command);
  });
});
