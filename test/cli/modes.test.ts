import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { RegistrationSheet } from '../../cli/registration-sheet.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EHRS = JSON.stringify([{ iss: 'https://ehr.example.org/fhir', clientId: 'app' }]);

let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `chartbill <args>` in an empty working directory with only `env` set. */
async function chartbill(args: string[], env: Record<string, string>): Promise<Run> {
  const cwd = await mkdtemp(join(tmpdir(), 'chartbill-modes-'));
  cleanup.push(() => rm(cwd, { recursive: true, force: true }));
  const child = spawn(process.execPath, [join(ROOT, 'bin/chartbill.js'), ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stdout, stderr };
}

// Each case starts a Node process with tsx: seconds on an idle machine, more on a busy one.
describe('chartbill modes', { timeout: 120_000 }, () => {
  it('start with only CHARTBILL_EHRS refuses, naming every missing setting, and never starts the sandbox', async () => {
    const run = await chartbill(['start'], { CHARTBILL_EHRS: EHRS });
    expect(run.code).toBe(1);
    for (const name of [
      'CHARTBILL_FHIR_BASE_URL',
      'CHARTBILL_PAYER_BASE_URL',
      'CHARTBILL_CLIENT_ID',
      'CHARTBILL_PRIVATE_KEY_FILE',
    ])
      expect(run.stderr).toContain(`${name} is required`);
    expect(run.stdout).not.toContain('FHIR base');
  });

  it('start with nothing configured points to chartbill sandbox instead of starting it', async () => {
    const run = await chartbill(['start'], {});
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('nothing is configured');
    expect(run.stderr).toContain("'chartbill sandbox'");
    expect(run.stdout).toBe('');
  });

  it('refuses a misspelt setting rather than running on its default', async () => {
    const run = await chartbill(['sandbox'], { CHARTBILL_APP_PROT: '5000' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'CHARTBILL_APP_PROT is not a ChartBill setting (did you mean CHARTBILL_APP_PORT?)',
    );
  });

  it('sandbox refuses to start when a real EHR is configured', async () => {
    const run = await chartbill(['sandbox'], { CHARTBILL_EHRS: EHRS });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('CHARTBILL_EHRS is set');
    expect(run.stderr).toContain("'chartbill start'");
  });

  it('registration prints what to paste into the EHR from the configuration', async () => {
    const run = await chartbill(['registration', '--json'], {
      CHARTBILL_APP_URL: 'https://chartbill.example.org/',
      CHARTBILL_EHRS: EHRS,
      CHARTBILL_FHIR_BASE_URL: 'https://ehr.example.org/fhir',
      CHARTBILL_CLIENT_ID: 'worker-1',
      CHARTBILL_JWKS_URL: 'https://chartbill.example.org/.well-known/jwks.json',
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const sheet = JSON.parse(run.stdout) as RegistrationSheet;
    expect(sheet.app).toMatchObject({
      launchUri: 'https://chartbill.example.org/launch',
      redirectUri: 'https://chartbill.example.org/callback',
      ehrs: [{ audience: 'https://ehr.example.org/fhir', clientId: 'app' }],
    });
    expect(sheet.app.scopes.ehrLaunch).toMatch(
      /^launch openid fhirUser .*patient\/Condition\.crus/,
    );
    expect(sheet.worker).toMatchObject({
      audience: 'https://ehr.example.org/fhir',
      clientId: 'worker-1',
      jwksUrl: 'https://chartbill.example.org/.well-known/jwks.json',
    });
    expect(sheet.worker.scopes).toContain('system/Claim.crus');
    expect(sheet.unset).toEqual([]);
    expect(sheet.smartVersion).toContain('2.2');
    expect(sheet.appBilling).toBeUndefined();
  });

  it('registration names the billing FHIR server as the home of the coding when the EHR cannot hold it', async () => {
    const run = await chartbill(['registration', '--json'], {
      CHARTBILL_APP_URL: 'https://chartbill.example.org/',
      CHARTBILL_EHRS: EHRS,
      CHARTBILL_FHIR_BASE_URL: 'https://ehr.example.org/fhir',
      CHARTBILL_CLIENT_ID: 'worker-1',
      CHARTBILL_JWKS_URL: 'https://chartbill.example.org/.well-known/jwks.json',
      CHARTBILL_BILLING_FHIR_BASE_URL: 'https://billing.example.org/fhir',
      // Unset: auto, and with the EHR's statement unreadable here the sheet lists both registrations.
      CHARTBILL_APP_BILLING_CLIENT_ID: 'app-billing',
    });
    expect(run.code).toBe(0);
    const sheet = JSON.parse(run.stdout) as RegistrationSheet;
    expect(sheet.appBilling).toMatchObject({
      audience: 'https://billing.example.org/fhir',
      clientId: 'app-billing',
    });
    expect(sheet.appBilling?.scopes).toContain('system/ChargeItem.crus');
    // The billing workspace's work Tasks live beside the claims: written there, never deleted.
    expect(sheet.appBilling?.scopes).toContain('system/Task.crus');
    expect(sheet.appBilling?.scopes).not.toMatch(/\.c?r?u?ds/);
    expect(sheet.worker.billing?.scopes).toContain('system/ChargeItem.rs');
    expect(sheet.worker.scopes).not.toContain('system/Claim.crus');
  });

  it('sandbox payer runs the payer alone until SIGTERM', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'chartbill-modes-'));
    cleanup.push(() => rm(cwd, { recursive: true, force: true }));
    const child = spawn(process.execPath, [join(ROOT, 'bin/chartbill.js'), 'sandbox', 'payer'], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', CHARTBILL_PAYER_PORT: '0' },
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    cleanup.push(async () => {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    });
    let out = '';
    const payerBase = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /Payer: (\S+)\n/.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
      void exited.then((code) => reject(new Error(`exited ${String(code)}: ${out}`)));
    });
    const metadata = (await (await fetch(`${payerBase}/metadata`)).json()) as {
      resourceType: string;
    };
    expect(metadata.resourceType).toBe('CapabilityStatement');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
