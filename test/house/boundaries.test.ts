import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The layers of README's Layout are kept by `eslint.config.js` (issue 14): this lints small
 * in-memory files placed in each top-level folder with the repository's own config (what
 * `npm run lint` runs) and checks that a forbidden import fails and an allowed one passes.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));

/** Real modules in each folder, so an allowed fixture type-checks cleanly under the strict rules. */
const TARGET = {
  src: 'src/fhir/systems.ts',
  'smart-app': 'smart-app/app-config.ts',
  worker: 'worker/ledger/ledger.ts',
  cli: 'cli/free-port.ts',
  sandbox: 'sandbox/scopes.ts',
} as const;
type Folder = keyof typeof TARGET;

/** Where each fixture lives (one level down in a folder, to exercise `../../`). */
const FIXTURE: Record<Folder | 'test', string> = {
  src: 'src/claims/boundary-fixture.ts',
  'smart-app': 'smart-app/coding/boundary-fixture.ts',
  worker: 'worker/tick/boundary-fixture.ts',
  cli: 'cli/boundary-fixture.ts',
  sandbox: 'sandbox/boundary-fixture.ts',
  test: 'test/house/boundary-fixture.ts',
};

/** The relative specifier from `fromFile` to `toFile`, as the code base writes it (`../x.ts`, `./x.ts`). */
function specifier(fromFile: string, toFile: string): string {
  const from = fromFile.split('/').slice(0, -1);
  const to = toFile.split('/');
  let common = 0;
  while (common < from.length && from[common] === to[common]) common++;
  const up = from.length - common;
  return (up === 0 ? './' : '../'.repeat(up)) + to.slice(common).join('/');
}

/** The worker's rooms, lowest first (worker/README.md): a fixture in each, and a real module to import. */
const ROOM_FIXTURE = {
  ledger: 'worker/ledger/room-fixture.ts',
  pipeline: 'worker/pipeline/room-fixture.ts',
  tick: 'worker/tick/room-fixture.ts',
  runtime: 'worker/runtime/room-fixture.ts',
} as const;
const ROOM_TARGET = {
  ledger: 'worker/ledger/ledger.ts',
  pipeline: 'worker/pipeline/build-task.ts',
  tick: 'worker/tick/each-concurrently.ts',
  runtime: 'worker/runtime/worker-config.ts',
} as const;
type Room = keyof typeof ROOM_FIXTURE;

let eslint: ESLint;
beforeAll(() => {
  // The repository's config as it is; only the type-aware parser is told that these files, which
  // exist in memory alone, belong to the repository's tsconfig (the project service reads the disk).
  eslint = new ESLint({
    cwd: root,
    overrideConfig: {
      languageOptions: {
        parserOptions: {
          projectService: {
            allowDefaultProject: [...Object.values(FIXTURE), ...Object.values(ROOM_FIXTURE)],
            defaultProject: 'tsconfig.json',
            // Ten in-memory fixtures, linted one at a time: the default cap of 8 is for globs.
            maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 16,
          },
          tsconfigRootDir: root,
        },
      },
    },
  });
});

async function lint(
  from: Folder | 'test',
  to: Folder,
  form: 'import' | 'import type' | 'export',
): Promise<{ fatal: string[]; boundary: string[]; other: string[] }> {
  const file = FIXTURE[from];
  const spec = specifier(file, TARGET[to]);
  const code =
    form === 'import'
      ? `import * as target from '${spec}';\n\nexport const names = Object.keys(target);\n`
      : form === 'import type'
        ? `import type * as target from '${spec}';\n\nexport type Target = typeof target;\n`
        : `export * from '${spec}';\n`;
  const [result] = await eslint.lintText(code, { filePath: `${root}${file}` });
  const messages = result?.messages ?? [];
  return {
    fatal: messages.filter((m) => m.fatal === true).map((m) => m.message),
    boundary: messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message),
    other: messages
      .filter((m) => m.fatal !== true && m.ruleId !== 'no-restricted-imports')
      .map((m) => `${m.ruleId ?? ''}: ${m.message}`),
  };
}

const FORBIDDEN: [Folder, Folder][] = [
  ['src', 'smart-app'],
  ['src', 'worker'],
  ['src', 'cli'],
  ['src', 'sandbox'],
  ['smart-app', 'worker'],
  ['smart-app', 'sandbox'],
  ['smart-app', 'cli'],
  ['worker', 'smart-app'],
  ['worker', 'sandbox'],
  ['worker', 'cli'],
  ['sandbox', 'smart-app'],
  ['sandbox', 'worker'],
  ['sandbox', 'cli'],
];
const ALLOWED: [Folder | 'test', Folder][] = [
  ['src', 'src'],
  ['smart-app', 'src'],
  ['worker', 'src'],
  ['sandbox', 'src'],
  ['worker', 'worker'],
  ['cli', 'sandbox'],
  ['cli', 'smart-app'],
  ['cli', 'worker'],
  ['test', 'sandbox'],
  ['test', 'worker'],
  ['test', 'smart-app'],
];

describe('the linter keeps the layers apart', { timeout: 300_000 }, () => {
  it.each(FORBIDDEN)('%s/ importing %s/ fails lint, naming the rule', async (from, to) => {
    const { fatal, boundary } = await lint(from, to, 'import');
    expect(fatal).toEqual([]);
    expect(boundary).toHaveLength(1);
    expect(boundary[0]).toContain(`${from}/ must not import`);
  });

  it.each(ALLOWED)('%s/ importing %s/ passes lint', async (from, to) => {
    expect(await lint(from, to, 'import')).toEqual({ fatal: [], boundary: [], other: [] });
  });

  it('a type-only import or a re-export across a boundary fails too', async () => {
    expect((await lint('smart-app', 'worker', 'import type')).boundary).toHaveLength(1);
    expect((await lint('src', 'sandbox', 'export')).boundary).toHaveLength(1);
    expect((await lint('worker', 'src', 'export')).boundary).toEqual([]);
  });
});

async function lintRoom(from: Room, to: Room): Promise<string[]> {
  const file = ROOM_FIXTURE[from];
  const code = `export * from '${specifier(file, ROOM_TARGET[to])}';\n`;
  const [result] = await eslint.lintText(code, { filePath: `${root}${file}` });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`);
}

describe("the worker's rooms import only the rooms below them", { timeout: 300_000 }, () => {
  const rooms = Object.keys(ROOM_FIXTURE) as Room[];
  const pairs = rooms.flatMap((from, i) => rooms.map((to, j) => [from, to, j > i] as const));

  it.each(pairs)('worker/%s/ importing worker/%s/ (forbidden: %s)', async (from, to, forbidden) => {
    const messages = await lintRoom(from, to);
    if (forbidden) {
      expect(messages).toHaveLength(1);
      expect(messages[0]).toContain(`worker/${from}/ must not import`);
    } else {
      expect(messages).toEqual([]);
    }
  });

  it('a room still may not climb out of worker/ into smart-app/', async () => {
    const code = `export * from '../../smart-app/app-config.ts';\n`;
    const [result] = await eslint.lintText(code, { filePath: `${root}${ROOM_FIXTURE.ledger}` });
    expect(result?.messages.map((m) => m.message)).toEqual([
      expect.stringContaining('worker/ must not import'),
    ]);
  });
});
