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

/**
 * The worker's rooms (worker/README.md), lowest first: each may import the rooms before it and
 * never those after it. The ledger knows nothing of claims; the pipeline works one encounter; the
 * tick runs the pipeline over the ledger's due items; the runtime composes and serves them.
 */
const WORKER_ROOMS = ['ledger', 'pipeline', 'tick', 'runtime'];

/** The pattern that fails a relative import climbing out of `folder` into a forbidden top-level folder. */
const layerPattern = (folder, forbidden) => ({
  regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`,
  message: `${folder}/ must not import ${forbidden.map((f) => `${f}/`).join(', ')} (the layers in README, Layout); move the shared piece into src/.`,
});

const restrict = (files, patterns) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

/** One `no-restricted-imports` block per layer: a relative path that climbs out into a forbidden folder fails. */
const boundaries = Object.entries(LAYERS).map(([folder, forbidden]) =>
  restrict([`${folder}/**/*.{ts,tsx,js,mjs}`], [layerPattern(folder, forbidden)]),
);

/** Per worker room (later blocks replace the rule, so each repeats the worker's layer pattern). */
const rooms = WORKER_ROOMS.slice(0, -1).map((room, rank) => {
  const later = WORKER_ROOMS.slice(rank + 1);
  return restrict(
    [`worker/${room}/**/*.{ts,tsx,js,mjs}`],
    [
      layerPattern('worker', LAYERS.worker),
      {
        regex: `^(\\.\\./)+(${later.join('|')})/`,
        message: `worker/${room}/ must not import ${later.map((r) => `worker/${r}/`).join(', ')} (worker/README.md: each room uses only the rooms below it).`,
      },
    ],
  );
});

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
  ...rooms,
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
