import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { InvalidEnvironmentError, validateEnv } from './env.validation.js';

// No Docker engine runs where this project is developed, so Dockerfile and docker-compose.yml cannot be
// built here: this spec checks that they, README's production recipe and the configuration reference
// agree on the variables and on how the server is started.
const read = (path: string) => readFileSync(path, 'utf8');

/** `export NAME=value …` lines of the shell block after README's production-recipe marker. */
function recipe(): { env: Record<string, string>; command: string } {
  const readme = read('README.md');
  const start = readme.indexOf('<!-- production-recipe');
  expect(start).toBeGreaterThan(-1);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(start))![1];
  const env: Record<string, string> = {};
  for (const line of block.split('\n').filter((l) => l.startsWith('export '))) {
    for (const [, name, value] of line.matchAll(/([A-Z_]+)=('[^']*'|"[^"]*"|\S+)/g)) {
      // The secret is generated in the recipe; a random-looking stand-in of the same shape validates.
      env[name] = value.startsWith('"$(')
        ? 'q5L0u1cVZ3o4Jm2bWbq6r0m9yX8nTQ2mHk1Jv8pYc3E'
        : value.replace(/^'|'$/g, '');
    }
  }
  const command = block.split('\n').find((line) => line.startsWith('node '))!;
  return { env, command };
}

/** The keys of the `app` service's environment block (the `&app-env` anchor) in docker-compose.yml. */
function composeVariables(): string[] {
  const lines = read('docker-compose.yml').split('\n');
  const from = lines.findIndex((line) => line.includes('environment: &app-env'));
  const names: string[] = [];
  for (const line of lines.slice(from + 1)) {
    const match = /^ {6}([A-Z_]+):/.exec(line);
    if (!match) break;
    names.push(match[1]);
  }
  return names;
}

/** `ENV A=… B=…` of the Dockerfile's runtime stage. */
function dockerfileEnv(): Record<string, string> {
  const text = read('Dockerfile').replace(/\\\n\s*/g, ' ');
  const env: Record<string, string> = {};
  for (const line of text.split('\n').filter((l) => l.startsWith('ENV '))) {
    for (const [, name, value] of line.matchAll(/([A-Z_]+)=(\S+)/g)) env[name] = value;
  }
  return env;
}

/** Every variable documented in docs/configuration.md's table. */
function documentedVariables(): Set<string> {
  return new Set([...read('docs/configuration.md').matchAll(/^\| `([A-Z_]+)`/gm)].map(([, name]) => name));
}

describe('the production recipe, the Dockerfile and docker-compose.yml', () => {
  test('the recipe is a complete production configuration: the validation accepts it', () => {
    const { env } = recipe();
    expect(env.NODE_ENV).toBe('production');
    let error: unknown;
    try {
      validateEnv(env);
    } catch (caught) {
      error = caught;
    }
    expect(error instanceof InvalidEnvironmentError ? error.problems : error).toBeUndefined();
    // …and each variable it needs is named: without any one of the required ones, production refuses.
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'WECHAT_APPID', 'WECHAT_SECRET', 'SESSION_KEY_SECRET']) {
      const { [name]: _left, ...without } = env;
      expect(() => validateEnv(without)).toThrow(InvalidEnvironmentError);
    }
  });

  test('docker-compose.yml and the Dockerfile pass every variable the recipe sets, and only documented ones', () => {
    const passed = new Set([...composeVariables(), ...Object.keys(dockerfileEnv())]);
    expect(Object.keys(recipe().env).filter((name) => !passed.has(name))).toEqual([]);
    const documented = documentedVariables();
    expect([...passed].filter((name) => !documented.has(name))).toEqual([]);
    expect(dockerfileEnv().NODE_ENV).toBe('production');
  });

  test('the container, the recipe and `npm start` start the server the same way', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(read('Dockerfile'))![1];
    const dockerCommand = (JSON.parse(cmd) as string[]).join(' ');
    const npmStart = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start;
    expect(recipe().command).toBe(dockerCommand);
    expect(npmStart).toBe(dockerCommand);
  });
});
