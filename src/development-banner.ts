export interface DevelopmentBannerInput {
  /** e.g. `http://127.0.0.1:3000` */
  apiUrl: string;
  /** Swagger UI, when served. */
  docsUrl?: string;
  /** The built-in WeChat simulator, when running. */
  simulator?: { url: string; appid: string };
  /** What development mode stands in for, one line each (config/development-mode.ts). */
  fallbacks: string[];
}

/**
 * The plain-text lines development mode prints once it listens: where the API, its docs and the
 * simulator are, what is not production-grade, and one command that logs in from a terminal.
 */
export function developmentBanner({ apiUrl, docsUrl, simulator, fallbacks }: DevelopmentBannerInput): string {
  const lines = [
    '',
    'weapp-auth in DEVELOPMENT MODE (NODE_ENV=production refuses it)',
    `  API        ${apiUrl}`,
  ];
  if (docsUrl) lines.push(`  API docs   ${docsUrl}`);
  if (simulator) lines.push(`  Simulator  ${simulator.url} (a fake WeChat, app ${simulator.appid})`);
  lines.push(...fallbacks.map((line) => `  - ${line}`));
  if (simulator) {
    lines.push(
      'Log in from a terminal (mints a wx.login code at the simulator, prints a session token):',
      `  ${loginCommand(apiUrl, simulator.url, simulator.appid)}`,
    );
  }
  return [...lines, '', ''].join('\n');
}

/**
 * One shell command: `POST <simulator>/__sim/login-codes`, then `POST /auth/login` with the code,
 * printing the token (or the error body). Node's fetch rather than curl and a JSON parser: Node is
 * the one tool every machine that runs this server has. Double quotes only inside the single-quoted
 * script, so it pastes into any POSIX shell.
 */
export function loginCommand(apiUrl: string, simulatorUrl: string, appid: string): string {
  const script =
    'const post=(u,b)=>fetch(u,{method:"POST",headers:{"content-type":"application/json"},' +
    'body:JSON.stringify(b)}).then((r)=>r.json());' +
    `post("${simulatorUrl}/__sim/login-codes",{appid:"${appid}"})` +
    `.then((c)=>post("${apiUrl}/auth/login",{appid:"${appid}",code:c.code}))` +
    '.then((r)=>console.log(r.token??JSON.stringify(r)))';
  return `node -e '${script}'`;
}
