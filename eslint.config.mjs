import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'dist-electron', 'release', '.cache', 'test-results', 'playwright-report'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Only the two Electron glue files may import electron: host code runs in plain Node.
    files: ['electron/host/**', 'shared/**', 'renderer/**', 'test/**', 'bench/**', 'electron/web-host.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'Only electron/main.ts and electron/preload.ts import electron.' }] },
      ],
    },
  },
  {
    // Shipped code never imports test code (tests may import shipped code, e.g. the demo Ollama server).
    files: ['electron/**', 'shared/**', 'renderer/**'],
    ignores: ['electron/main.ts', 'electron/preload.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'Only electron/main.ts and electron/preload.ts import electron.' }],
          patterns: [{ regex: '(^|/)test/', message: 'Shipped code (electron/, shared/, renderer/) must not import test/.' }],
        },
      ],
    },
  },
  {
    files: ['electron/main.ts', 'electron/preload.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)test/', message: 'Shipped code must not import test/.' }] }],
    },
  },
  // Formatting is Prettier's (npm run lint checks it); rules that would fight it are off.
  prettier,
  // Prettier cannot break long strings, comments or test titles; keep them within its 140 columns too.
  { rules: { 'max-len': ['error', { code: 140, ignoreUrls: true }] } },
);
