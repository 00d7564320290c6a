import tseslint from 'typescript-eslint';

/**
 * The house's layers (README, Layout). Each entry names a top-level folder and the top-level
 * folders it must never import: `src/` is the core every other part builds on; `smart-app/` and
 * `worker/` are two products that share only the core; `sandbox/` is the stand-in EHR and payer,
 * built on the core and composed only by `cli/` and `test/`, which may import anything; the
 * `profiles/` tools use the core at most.
 */
const LAYERS = {
  src: ['smart-app', 'worker', 'cli', 'sandbox', 'test'],
  'smart-app': ['worker', 'cli', 'sandbox', 'test'],
  worker: ['smart-app', 'cli', 'sandbox', 'test'],
  sandbox: ['smart-app', 'worker', 'cli', 'test'],
  profiles: ['smart-app', 'worker', 'cli', 'sandbox', 'test'],
};

/** One `no-restricted-imports` block per layer: a relative path that climbs out into a forbidden folder fails. */
const boundaries = Object.entries(LAYERS).map(([folder, forbidden]) => ({
  files: [`${folder}/**/*.{ts,tsx,js,mjs}`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`,
            message: `${folder}/ must not import ${forbidden.map((f) => `${f}/`).join(', ')} (the layers in README, Layout); move the shared piece into src/.`,
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.chartbill/**', 'bin/chartbill.js'] },
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
    },
  },
  ...boundaries,
  // Settings are read through src/config/read-settings.ts, declared once in src/config/settings.ts
  // (issue 13, item 1); only settings-source.ts reads the environment. Tests may set it.
  {
    files: ['{cli,src,smart-app,worker,sandbox}/**/*.{ts,tsx,js,mjs}'],
    ignores: ['src/config/settings-source.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message:
            'Read settings with readSettings() (src/config/read-settings.ts); declare them in src/config/settings.ts.',
        },
      ],
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
