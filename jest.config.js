// Native-ESM jest: NestJS 12 ships ES modules only, which jest's CommonJS loader cannot require.
// Run through `npm test` (node --experimental-vm-modules).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Two tiers. `unit`: specs next to the code that need no database, no Redis and no build
 * (`npm run test:unit`). `services`: the e2e specs in test/ and every spec that reaches the machine's
 * MariaDB or Redis, which is what importing test/support/test-services or test-database means (global
 * setup creates the run's database for them). `npm test` runs both, after a build.
 */
const SERVICE_HELPERS = /test\/support\/(test-services|test-database|global-setup)\.js/;

const specs = (dir) =>
  readdirSync(dir, { recursive: true })
    .filter((file) => file.endsWith('.spec.ts'))
    .map((file) => join(dir, file));
const serviceSpecs = specs('src').filter((file) => SERVICE_HELPERS.test(readFileSync(file, 'utf8')));

/** What both tiers share. */
const common = {
  rootDir: '.',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // Nest and class-transformer read decorator metadata; main.ts loads this polyfill for the app.
  setupFiles: ['reflect-metadata'],
};

/** @type {import('jest').Config} */
export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...serviceSpecs.map((file) => `<rootDir>/${file}$`)],
    },
    {
      ...common,
      displayName: 'services',
      testMatch: [...serviceSpecs.map((file) => `<rootDir>/${file}`), '<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.js',
      globalTeardown: '<rootDir>/test/support/global-teardown.js',
    },
  ],
  testTimeout: 30000,
  maxWorkers: 2,
  verbose: true,
};
