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
  worker: 'worker/ledger.ts',
  cli: 'cli/free-port.ts',
  sandbox: 'sandbox/scopes.ts',
} as const;
type Folder = keyof typeof TARGET;

/** Where each fixture lives (one level down in a folder, to exercise `../../`). */
const FIXTURE: Record<Folder | 'test', string> = {
  src: 'src/claims/boundary-fixture.ts',
  'smart-app': 'smart-app/coding/boundary-fixture.ts',
  worker: 'worker/boundary-fixture.ts',
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
            allowDefaultProject: Object.values(FIXTURE),
            defaultProject: 'tsconfig.json',
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
