// Lint errors fail the build: every rule here is an error, never a warning.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      '.tools/**',
      'renderer/dist/**',
      '.bench/**',
      'test-artifacts/**',
      'release/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        fetch: 'readonly',
        structuredClone: 'readonly',
        queueMicrotask: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Only the Electron shell may touch Electron; the core stays plain Node.
    files: ['main/**/*.ts', 'preload/**/*.ts', 'bin/**/*.js', 'test/**/*.ts'],
    // The preload entry is the one file outside main/electron/ that needs Electron (contextBridge, ipcRenderer).
    ignores: ['main/electron/**', 'preload/electron-preload.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'electron is imported only under main/electron/.' }] },
      ],
    },
  },
  {
    // The dashboard runs in a browser page (or the app's sandboxed window): browser globals, and no way to reach
    // Node, Electron or the core except through the contracts in preload/ (contract.ts, and team-contract.ts for a
    // team server's dashboard).
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    ignores: ['renderer/vite.config.ts', 'renderer/vitest.config.ts'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        navigator: 'readonly',
        location: 'readonly',
        console: 'readonly',
        fetch: 'readonly',
        Response: 'readonly',
        Request: 'readonly',
        Headers: 'readonly',
        WebSocket: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
        HTMLElement: 'readonly',
        HTMLInputElement: 'readonly',
        HTMLFormElement: 'readonly',
        HTMLButtonElement: 'readonly',
        HTMLPreElement: 'readonly',
        HTMLDivElement: 'readonly',
        Element: 'readonly',
        Event: 'readonly',
        KeyboardEvent: 'readonly',
        ResizeObserver: 'readonly',
        requestAnimationFrame: 'readonly',
        cancelAnimationFrame: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        queueMicrotask: 'readonly',
        globalThis: 'readonly',
      },
    },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The dashboard reaches the core only through its DashboardClient.' }],
          patterns: [
            { group: ['node:*'], message: 'Node does not exist in the dashboard.' },
            { group: ['**/main/**', '**/main'], message: 'Import types from preload/contract.ts, not the core.' },
            {
              group: ['**/preload/*', '!**/preload/contract.ts', '!**/preload/team-contract.ts'],
              message: 'Of preload/, the dashboard imports only contract.ts and team-contract.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    // Token digests are compared in one place, with crypto.timingSafeEqual (security test T3).
    files: ['main/**/*.ts'],
    ignores: ['main/gateway/auth/token-digest.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "Identifier[name='timingSafeEqual']",
          message: 'Compare secrets only through main/gateway/auth/token-digest.ts.',
        },
      ],
    },
  },
);
