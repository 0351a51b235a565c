import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Import boundaries (issue 14): what ships in the package (auth, wechat, user, the Redis helpers,
// common) never reaches into the app (config, profile, database, …), the WeChat simulator or the
// tests; `wechat` and `user` are leaves; only `openapi/` may load @nestjs/swagger. Dynamic import()
// is not an import declaration, so the login's lazily loaded WeChat client stays allowed.
const APP_FOLDERS = [
  'config',
  'profile',
  'database',
  'health',
  'lifecycle',
  'logging',
  'rate-limit',
  'swagger',
  'http',
  'admin',
  'audit',
  'metrics',
].map((folder) => `**/${folder}/*`);
const NEVER_IN_PACKAGE = {
  group: [...APP_FOLDERS, '**/wechat-simulator/*', '**/test/*', '**/app.module.js', '**/bootstrap.js'],
  message:
    'Package code (auth, wechat, user, redis helpers, common) must not import the app, the simulator or tests.',
};
const APP_LIBRARIES = {
  group: [
    '@nestjs/swagger',
    '@nestjs/config',
    '@nestjs/platform-*',
    'fastify',
    '@fastify/*',
    'typeorm',
    '@nestjs/typeorm',
    'pino',
  ],
  message:
    "The auth module must not need the app's libraries (Swagger only in auth/openapi/, TypeORM only in user/).",
};
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
const SPECS = ['**/*.spec.ts', '**/*.contract.ts'];
const importBoundaries = [
  {
    files: ['src/auth/**/*.ts'],
    ignores: [...SPECS, 'src/auth/openapi/**'],
    rules: restrict(NEVER_IN_PACKAGE, APP_LIBRARIES, {
      group: ['**/user/*', '**/wechat/wechat.client.js', '**/wechat/wechat.module.js'],
      message: 'auth declares ports (ports/) instead of importing users or the WeChat client.',
    }),
  },
  {
    files: ['src/auth/openapi/**/*.ts'],
    rules: restrict(NEVER_IN_PACKAGE, { group: ['**/user/*'], message: 'auth must not import users.' }),
  },
  {
    files: ['src/wechat/**/*.ts'],
    ignores: SPECS,
    rules: restrict(NEVER_IN_PACKAGE, {
      group: ['**/auth/*', '**/user/*', '**/redis/*', '**/common/*'],
      message: 'wechat is a leaf: it imports nothing else of this project.',
    }),
  },
  {
    files: ['src/user/**/*.ts'],
    ignores: SPECS,
    rules: restrict(NEVER_IN_PACKAGE, {
      group: ['**/auth/*', '**/wechat/*', '**/redis/*', '@nestjs/swagger'],
      message: 'user is a leaf: the app hands UsersService to auth as its users port.',
    }),
  },
  {
    files: ['src/redis/redis-batcher.ts', 'src/redis/deadline.ts', 'src/common/**/*.ts'],
    ignores: [...SPECS],
    rules: restrict(NEVER_IN_PACKAGE, {
      group: ['**/auth/*', '**/user/*', '**/wechat/*'],
      message: 'Shared helpers depend on nothing above them.',
    }),
  },
  {
    // The app may use the simulator only through development-simulator.ts's dynamic import.
    files: ['src/**/*.ts'],
    ignores: [
      ...SPECS,
      'src/wechat-simulator/**',
      'src/testing/**',
      'src/auth/**',
      'src/wechat/**',
      'src/user/**',
      'src/common/**',
      'src/redis/redis-batcher.ts',
      'src/redis/deadline.ts',
    ],
    rules: restrict(
      {
        group: ['**/wechat-simulator/*', '**/test/*'],
        message:
          'Production code never loads the simulator or tests (development mode imports it dynamically).',
      },
      {
        group: ['**/auth/*.js', '!**/auth/index.js', '**/auth/*/*', '!**/auth/openapi/index.js'],
        message:
          'The app reaches the auth module only through its entry points (auth/index.ts, auth/openapi/index.ts).',
      },
    ),
  },
  {
    // Production serves no docs, so it must not load @nestjs/swagger (about 9 MB of heap): the app
    // describes its routes with swagger/api-docs.decorators.ts, replayed only when the docs are on.
    // weapp-auth/openapi loads Swagger too. Type imports cost nothing at run time. Another rule name than
    // the boundaries above, so that both apply; auth/ has its own rule (APP_LIBRARIES). The same holds
    // for class-validator's index (http/class-validator.ts).
    files: ['src/**/*.ts'],
    ignores: [...SPECS, 'src/swagger/**', 'src/auth/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nestjs/swagger', '@nestjs/swagger/*', '**/auth/openapi/*'],
              allowTypeImports: true,
              message:
                'Only src/swagger/ loads Swagger: describe routes with swagger/api-docs.decorators.ts ' +
                '(ApiDocs for the auth schemas).',
            },
            {
              group: ['class-validator', 'class-validator/*'],
              allowTypeImports: true,
              message:
                "Import validation decorators from http/class-validator.ts: class-validator's index loads " +
                'every decorator it has, with validator.js and libphonenumber-js.',
            },
          ],
        },
      ],
    },
  },
];

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'data/',
      'coverage/',
      'client/dist/',
      'bench/.tmp/',
      'test-artifacts/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Nest wires classes whose constructors only declare injected members.
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  {
    // Tests read arbitrary JSON bodies; typing every one would add noise, not safety.
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The example mini program: CommonJS run by WeChat, whose framework provides these globals.
    files: ['examples/**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        ...globals.commonjs,
        console: 'readonly',
        wx: 'readonly',
        App: 'readonly',
        Page: 'readonly',
        Component: 'readonly',
        getApp: 'readonly',
        getCurrentPages: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...importBoundaries,
);
