import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config/read-settings.ts';
import { settingsSource } from '../../src/config/settings-source.ts';
import { withSettingsTable } from '../../src/config/settings-docs.ts';
import { HARNESS_PREFIXES, SETTINGS } from '../../src/config/settings.ts';
import { modeHelp } from '../../cli/start-command.ts';
import { loadWorkerConfig } from '../../worker/runtime/worker-config.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (source: Record<string, string>) => readSettings(source, { what: 'Test' });

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'chartbill-settings-'));
  dirs.push(dir);
  return dir;
}

describe('settings', () => {
  it('refuses a misspelt setting instead of falling back to its default, naming the right one', () => {
    expect(() => read({ CHARTBILL_WORKER_CONCURENCY: '4' })).toThrow(
      /CHARTBILL_WORKER_CONCURENCY is not a ChartBill setting \(did you mean CHARTBILL_WORKER_CONCURRENCY\?\)/,
    );
  });

  it("leaves the test harness's variables and the EHRs' named secret variables alone", () => {
    const ehrs = JSON.stringify([
      {
        iss: 'https://ehr.example.org/fhir',
        clientId: 'a',
        clientAuth: 'client_secret_basic',
        clientSecretEnv: 'CHARTBILL_EPIC_SECRET',
      },
    ]);
    const settings = read({
      CHARTBILL_BENCH_ROUNDS: '3',
      CHARTBILL_EHRS: ehrs,
      CHARTBILL_EPIC_SECRET: 's3cret',
    });
    expect(settings.CHARTBILL_EHRS?.[0]?.clientSecretEnv).toBe('CHARTBILL_EPIC_SECRET');
  });

  it('refuses an empty value rather than reading it as 0', () => {
    expect(() => read({ CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES: '' })).toThrow(
      /CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES is empty: unset it for the default \(60\)/,
    );
    expect(() => read({ CHARTBILL_APP_PORT: ' ' })).toThrow(/CHARTBILL_APP_PORT is empty/);
    expect(read({ CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES: '0' })).toMatchObject({
      CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES: 0,
    });
  });

  it('says which required settings are missing, and every other problem, at once', () => {
    let message = '';
    try {
      loadWorkerConfig({ CHARTBILL_WORKER_CONCURRENCY: 'many', CHARTBILL_WORKER_SCOPE: '' });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const name of [
      'CHARTBILL_FHIR_BASE_URL',
      'CHARTBILL_PAYER_BASE_URL',
      'CHARTBILL_CLIENT_ID',
      'CHARTBILL_PRIVATE_KEY_FILE',
    ])
      expect(message).toContain(`${name} is required:`);
    expect(message).toContain('CHARTBILL_WORKER_CONCURRENCY: must be a number');
    expect(message).toContain('CHARTBILL_WORKER_SCOPE is empty');
  });

  it('gives each setting its default and reads what is set', () => {
    const settings = read({ CHARTBILL_WORKER_CONCURRENCY: '3' });
    expect(settings.CHARTBILL_WORKER_CONCURRENCY).toBe(3);
    expect(settings.CHARTBILL_APP_PORT).toBe(4400);
    expect(settings.CHARTBILL_TOKEN_URL).toBeUndefined();
  });
});

describe('the config file', () => {
  it('holds the same settings, the environment winning, from the working directory or --config', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'chartbill.config.json'),
      JSON.stringify({
        CHARTBILL_WORKER_CONCURRENCY: 4,
        CHARTBILL_APP_PORT: 5000,
        CHARTBILL_EHRS: [{ iss: 'https://ehr.example.org/fhir', clientId: 'app' }],
      }),
    );
    const source = await settingsSource({ cwd: dir, env: { CHARTBILL_APP_PORT: '5001' } });
    const settings = read(source as Record<string, string>);
    expect(settings.CHARTBILL_WORKER_CONCURRENCY).toBe(4);
    expect(settings.CHARTBILL_APP_PORT).toBe(5001);
    expect(settings.CHARTBILL_EHRS?.[0]?.clientId).toBe('app');

    await writeFile(join(dir, 'other.json'), JSON.stringify({ CHARTBILL_WORKER_CONCURRENCY: 2 }));
    const other = await settingsSource({ cwd: dir, env: {}, configFile: 'other.json' });
    expect(other.CHARTBILL_WORKER_CONCURRENCY).toBe('2');
    await expect(settingsSource({ cwd: dir, env: {}, configFile: 'missing.json' })).rejects.toThrow(
      /Cannot read the config file .*missing\.json/,
    );
  });

  it('refuses secrets and names that are no setting, every one at once', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'chartbill.config.json'),
      JSON.stringify({
        CHARTBILL_LEDGER_URL: 'postgres://u:pw@db/x',
        CHARTBILL_AUDIT_TOKEN: 't',
        CHARTBILL_APP_PROT: 1,
      }),
    );
    const error = await settingsSource({ cwd: dir, env: {} }).catch((err: unknown) => err);
    const message = (error as Error).message;
    expect(message).toContain('CHARTBILL_LEDGER_URL is a secret: set it in the environment');
    expect(message).toContain('CHARTBILL_AUDIT_TOKEN is a secret');
    expect(message).toContain('CHARTBILL_APP_PROT is not a ChartBill setting');
  });
});

describe('one registry', () => {
  it("keeps the README's settings table as the registry writes it (npm run docs:settings)", async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toBe(withSettingsTable(readme));
  });

  it('lists every setting in chartbill start --help', () => {
    const help = modeHelp('start');
    for (const name of Object.keys(SETTINGS)) expect(help).toContain(name);
  });

  it('registers every CHARTBILL_* name the product code mentions', async () => {
    const unregistered = new Set<string>();
    for (const folder of ['cli', 'src', 'smart-app', 'worker', 'sandbox']) {
      const files = await readdir(join(ROOT, folder), { recursive: true });
      for (const file of files.filter((f) => f.endsWith('.ts'))) {
        const text = await readFile(join(ROOT, folder, file), 'utf8');
        for (const [name] of text.matchAll(/CHARTBILL_[A-Z0-9_]*[A-Z0-9](?![A-Z0-9_*])/g))
          if (!(name in SETTINGS) && !HARNESS_PREFIXES.some((p) => name.startsWith(p)))
            unregistered.add(`${name} (${folder}/${file})`);
      }
    }
    expect([...unregistered]).toEqual([]);
  });
});
