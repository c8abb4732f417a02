// Lint settled once: the recommended JavaScript and typescript-eslint rules, plus the core/
// boundary (no node:, no database, no logger in the pure rules).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'data', 'bench/out'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { globals: { URL: 'readonly', process: 'readonly', console: 'readonly' } },
  },
  {
    // CommonJS files (the relay pool's thread entry in source mode).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    // Browser scripts served to the admin.
    files: ['views/assets/**/*.js'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', navigator: 'readonly' } },
  },
  {
    // mailauth's dkimSign reads the clock twice unless given signTime (a flaky "bad signature" under
    // load): tests sign through test/helpers/dkim.ts; the product through src/outbound/dkim-sign.ts.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'src/*.ts', 'src/!(core)/**/*.ts'],
    ignores: ['test/helpers/dkim.ts', 'src/outbound/dkim-sign.ts', 'src/outbound/dkim-sign.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'mailauth',
              importNames: ['dkimSign'],
              message: 'dkimSign without signTime reads the clock twice: sign test mail with test/helpers/dkim.ts (dkimSignatures).',
            },
            {
              name: 'mailauth/lib/dkim/sign',
              message: 'dkimSign without signTime reads the clock twice: sign test mail with test/helpers/dkim.ts (dkimSignatures).',
            },
            {
              name: 'mailauth/lib/dkim/sign.js',
              message: 'dkimSign without signTime reads the clock twice: sign test mail with test/helpers/dkim.ts (dkimSignatures).',
            },
          ],
        },
      ],
      // The same for the spellings no-restricted-imports does not see: `await import('mailauth')` or
      // `require('mailauth')` and taking dkimSign from what they return.
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportExpression[source.value=/^mailauth(\\/lib\\/dkim\\/sign(\\.js)?)?$/]',
          message:
            'A dynamic import of mailauth can reach dkimSign, which reads the clock twice: import its other functions statically, sign with test/helpers/dkim.ts.',
        },
        {
          selector: "CallExpression[callee.name='require'][arguments.0.value=/^mailauth(\\/lib\\/dkim\\/sign(\\.js)?)?$/]",
          message:
            'require of mailauth can reach dkimSign, which reads the clock twice: import its other functions statically, sign with test/helpers/dkim.ts.',
        },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'net', 'crypto', 'path'], message: 'src/core is pure: no Node modules.' },
            {
              group: ['better-sqlite3', 'pino', 'smtp-server', 'nodemailer', 'nodemailer/*', 'mailparser', 'hono', 'hono/*'],
              message: 'src/core is pure: no I/O libraries.',
            },
            { group: ['../store/*', '../smtp/*', '../relay/*', '../outbound/*', '../web/*'], message: 'src/core imports nothing of ours but core.' },
          ],
        },
      ],
    },
  },
);
