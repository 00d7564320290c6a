import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { doctorCommand, doctorInputFromEnv } from '../../cli/doctor-command.ts';
import { canRun } from '../../cli/doctor/doctor-check.ts';
import { formatRegistrationSheet, registrationSheet } from '../../cli/registration-sheet.ts';
import { readSettings } from '../../src/config/read-settings.ts';
import { readRecordHomes } from '../../src/fhir/record-homes.ts';
import { runDoctor, type DoctorReport } from '../../cli/doctor/run-doctor.ts';
import { generateClientKeys } from '../../src/auth/keys.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import {
  SANDBOX_EHR_PROFILES,
  sandboxEhrProfile,
  type SandboxEhrProfile,
} from '../../sandbox/ehr-profiles.ts';
import { startSandboxPayer } from '../../sandbox/payer-server.ts';
import { startSandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { DEFAULT_WORKER_SCOPE, workerEhrScope } from '../../worker/runtime/worker-config.ts';

const logger = createLogger('silent', 'doctor-test');
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await Promise.all(closers.splice(0).map((close) => close()));
});

/**
 * A sandbox EHR playing `profile`, the worker registered with its key, and a payer; with
 * `billing`, a second sandbox server playing that profile as the billing FHIR store, holding the
 * coding (`CHARTBILL_CODING_STORE=auto` finds the EHR cannot) and the claims.
 */
async function world(
  profile: SandboxEhrProfile,
  billing?: SandboxEhrProfile,
  /** What the EHR registers for the worker; by default every scope a single server needs. */
  workerScope = DEFAULT_WORKER_SCOPE,
) {
  const keys = await generateClientKeys('ES384');
  const dir = await mkdtemp(join(tmpdir(), 'doctor-'));
  const keyFile = join(dir, 'worker-key.json');
  await writeFile(keyFile, JSON.stringify(keys.privateJwk));
  const ehr = await startSandboxEhr({
    port: 0,
    logger,
    profile,
    clients: [
      {
        clientId: 'worker',
        name: 'worker',
        auth: { kind: 'jwks', jwks: keys.publicJwks },
        redirectUris: [],
        scope: workerScope,
      },
    ],
  });
  const payer = await startSandboxPayer({ port: 0, logger });
  const billingStore = billing
    ? await startSandboxEhr({ port: 0, logger, profile: billing, seed: false, clients: [] })
    : undefined;
  closers.push(
    () => ehr.close(),
    () => payer.close(),
    async () => billingStore?.close(),
  );
  const env = {
    CHARTBILL_CLIENT_ID: 'worker',
    CHARTBILL_PRIVATE_KEY_FILE: keyFile,
    CHARTBILL_PAYER_BASE_URL: payer.fhirBase,
    CHARTBILL_LEDGER_PATH: join(dir, 'ledger.json'),
    ...(billingStore
      ? {
          // CHARTBILL_CODING_STORE unset: `auto` reads the EHR's statement, as the app and worker do.
          CHARTBILL_BILLING_FHIR_BASE_URL: billingStore.fhirBase,
        }
      : {}),
  };
  return { ehr, env, doctor: () => runDoctor(doctorInputFromEnv(env, ehr.fhirBase)) };
}

function statusOf(report: DoctorReport, name: string): string | undefined {
  return report.checks.find((c) => c.name === name)?.status;
}

describe('chartbill doctor', () => {
  it.each(SANDBOX_EHR_PROFILES)('checks the sandbox playing %s', async (name) => {
    const { doctor } = await world(sandboxEhrProfile(name));
    const report = await doctor();
    const profile = sandboxEhrProfile(name);
    expect(statusOf(report, '.well-known/smart-configuration')).toBe('pass');
    expect(statusOf(report, 'PKCE S256')).toBe('pass');
    expect(statusOf(report, 'FHIR version')).toBe('pass');
    expect(statusOf(report, 'token')).toBe('pass');
    expect(statusOf(report, 'endpoint')).toBe('pass');
    expect(statusOf(report, '_revinclude')).toBe(profile.revinclude ? 'pass' : 'warn');
    expect(statusOf(report, 'batch')).toBe(profile.batch ? 'pass' : 'warn');
    // Every profile serves what the worker reads for some visits (locations, RelatedPerson
    // subscribers, booked appointments).
    for (const read of ['Location read', 'RelatedPerson read', 'Appointment search-type'])
      expect(statusOf(report, read), read).toBe('pass');
    // Subscriptions where the real server has them; no notification URL is set here.
    const subscriptions = report.checks.find((c) => c.name === 'Subscriptions');
    expect(subscriptions?.detail).toMatch(
      profile.absentTypes.includes('Subscription') ? /^not declared/ : /NOTIFY_URL is not set/,
    );
    // Epic and Oracle Health take neither the coding (ChargeItem) nor the claims: without a
    // billing FHIR store, nothing can hold them.
    const takesEverything = name === 'strict' || name === 'medplum-like';
    expect(canRun(report.checks)).toBe(takesEverything);
    expect(report.homes).toMatchObject(
      takesEverything
        ? { coding: 'ehr', claims: 'ehr', billingStore: 'file' }
        : { coding: 'billing-store', claims: 'billing-store' },
    );
    // Epic and Oracle Health take no AuditEvent writes from apps: with nowhere else to go, warn.
    expect(statusOf(report, 'where the AuditEvents go')).toBe(takesEverything ? 'pass' : 'warn');
    for (const check of report.checks)
      if (check.status !== 'pass') expect(check.remedy, check.name).not.toBe('');
  });

  it.each(['epic-like', 'oracle-like'] as const)(
    'passes the sandbox playing %s with a billing FHIR store, and says which store holds what',
    async (name) => {
      const { doctor, env } = await world(sandboxEhrProfile(name), sandboxEhrProfile('strict'));
      const report = await doctor();
      expect(canRun(report.checks)).toBe(true);
      expect(report.homes).toMatchObject({ coding: 'billing-fhir', claims: 'billing-fhir' });
      const coding = report.checks.find((c) => c.name === 'where the coding lives');
      expect(coding?.status).toBe('pass');
      expect(coding?.detail).toContain(env.CHARTBILL_BILLING_FHIR_BASE_URL);
      expect(coding?.detail).toContain(
        name === 'epic-like'
          ? "ChargeItem: billing store — the EHR's CapabilityStatement does not declare ChargeItem create"
          : "Condition: billing store — the EHR's CapabilityStatement does not declare Condition update",
      );
      expect(report.checks.find((c) => c.area === 'Billing FHIR')?.status).toBe('pass');
      const audit = report.checks.find((c) => c.name === 'where the AuditEvents go');
      expect(audit?.status).toBe('pass');
      expect(audit?.detail).toBe(
        `AuditEvents: billing FHIR server ${env.CHARTBILL_BILLING_FHIR_BASE_URL} — the EHR's CapabilityStatement does not declare AuditEvent create`,
      );
    },
  );

  it('the registration sheet says which store holds what and why, as the app and worker choose', async () => {
    const { ehr, env } = await world(sandboxEhrProfile('epic-like'), sandboxEhrProfile('strict'));
    const settings = readSettings(
      { ...env, CHARTBILL_FHIR_BASE_URL: ehr.fhirBase },
      { what: 'registration' },
    );
    const homes = await readRecordHomes(ehr.fhirBase, {
      billingFhirBaseUrl: settings.CHARTBILL_BILLING_FHIR_BASE_URL,
      codingStore: settings.CHARTBILL_CODING_STORE,
    });
    const sheet = registrationSheet(settings, homes);
    expect(sheet.appBilling?.audience).toBe(env.CHARTBILL_BILLING_FHIR_BASE_URL);
    expect(formatRegistrationSheet(sheet)).toContain(
      "ChargeItem: billing store — the EHR's CapabilityStatement does not declare ChargeItem create",
    );
    expect(formatRegistrationSheet(sheet)).toContain(
      `AuditEvents: billing FHIR server ${env.CHARTBILL_BILLING_FHIR_BASE_URL} — the EHR's CapabilityStatement does not declare AuditEvent create`,
    );
  });

  it("asks the EHR for AuditEvent create only where the worker's AuditEvents go, as the registration sheet lists", async () => {
    // Epic-like beside a billing FHIR store: the AuditEvents go there, so the EHR registers the
    // worker without system/AuditEvent.c, and every scope the worker asks is granted.
    const leastPrivilege = workerEhrScope({
      separateBilling: true,
      audit: 'billing',
      notify: false,
    });
    expect(leastPrivilege.split(' ')).not.toContain('system/AuditEvent.c');
    const epic = await world(
      sandboxEhrProfile('epic-like'),
      sandboxEhrProfile('strict'),
      leastPrivilege,
    );
    const report = await epic.doctor();
    const scopes = report.checks.find((c) => c.name === 'scopes');
    expect(scopes?.status, scopes?.detail).toBe('pass');
    const settings = readSettings(
      { ...epic.env, CHARTBILL_FHIR_BASE_URL: epic.ehr.fhirBase },
      { what: 'registration' },
    );
    const sheet = registrationSheet(
      settings,
      await readRecordHomes(epic.ehr.fhirBase, {
        billingFhirBaseUrl: settings.CHARTBILL_BILLING_FHIR_BASE_URL,
      }),
    );
    expect(sheet.worker.scopes).toBe(leastPrivilege);
    // The billing FHIR store keeps them: the worker's client there writes them.
    expect(sheet.worker.billing?.scopes.split(' ')).toContain('system/AuditEvent.c');

    // Where the EHR keeps them (strict, or CHARTBILL_AUDIT_STORE=ehr), it is asked as before.
    const strict = await world(
      sandboxEhrProfile('strict'),
      sandboxEhrProfile('strict'),
      leastPrivilege,
    );
    const refused = (await strict.doctor()).checks.find((c) => c.name === 'scopes');
    expect(refused?.status).toBe('warn');
    expect(refused?.detail).toContain('system/AuditEvent.c');
    const kept = await runDoctor({
      ...doctorInputFromEnv({ ...epic.env, CHARTBILL_AUDIT_STORE: 'ehr' }, epic.ehr.fhirBase),
    });
    expect(kept.checks.find((c) => c.name === 'scopes')?.detail).toContain('system/AuditEvent.c');
  });

  it("says where the app's AuditEvents go, and warns while the EHR would refuse them", async () => {
    const { doctor, env, ehr } = await world(
      sandboxEhrProfile('epic-like'),
      sandboxEhrProfile('strict'),
    );
    // No app client at the billing FHIR store yet: the app's would go to the EHR, which refuses them.
    const before = (await doctor()).checks.find((c) => c.name === "where the app's AuditEvents go");
    expect(before?.status).toBe('warn');
    expect(before?.remedy).toContain('CHARTBILL_APP_BILLING_CLIENT_ID');
    const withClient = {
      ...env,
      CHARTBILL_BILLING_TOKEN_URL: `${env.CHARTBILL_BILLING_FHIR_BASE_URL}/token`,
      CHARTBILL_APP_BILLING_CLIENT_ID: 'chartbill-app-billing',
      CHARTBILL_APP_BILLING_PRIVATE_KEY_FILE: env.CHARTBILL_PRIVATE_KEY_FILE,
    };
    const report = await runDoctor(doctorInputFromEnv(withClient, ehr.fhirBase));
    const after = report.checks.find((c) => c.name === "where the app's AuditEvents go");
    expect(after?.status).toBe('pass');
    expect(after?.detail).toBe(
      `The app's AuditEvents: billing FHIR server ${env.CHARTBILL_BILLING_FHIR_BASE_URL} — the EHR's CapabilityStatement does not declare AuditEvent create`,
    );
    expect(report.checks.find((c) => c.area === 'Billing FHIR')?.detail).toContain('AuditEvent');
    // The registration sheet says the same, and the app's client there asks AuditEvent create.
    const settings = readSettings(
      { ...withClient, CHARTBILL_FHIR_BASE_URL: ehr.fhirBase },
      { what: 'registration' },
    );
    const sheet = registrationSheet(
      settings,
      await readRecordHomes(ehr.fhirBase, {
        billingFhirBaseUrl: settings.CHARTBILL_BILLING_FHIR_BASE_URL,
        appBillingClient: true,
      }),
    );
    expect(formatRegistrationSheet(sheet)).toContain(after?.detail);
    expect(sheet.appBilling?.scopes.split(' ')).toContain('system/AuditEvent.c');
  });

  it('fails a billing FHIR store that does not take the coding, naming what it lacks', async () => {
    const { doctor } = await world(sandboxEhrProfile('epic-like'), sandboxEhrProfile('epic-like'));
    const report = await doctor();
    const billing = report.checks.find((c) => c.area === 'Billing FHIR');
    expect(billing?.status).toBe('fail');
    expect(billing?.detail).toContain('ChargeItem create');
    expect(canRun(report.checks)).toBe(false);
  });

  it('warns, and still passes, on a server that does not declare _revinclude', async () => {
    const { doctor } = await world({ ...sandboxEhrProfile('strict'), revinclude: false });
    const report = await doctor();
    expect(statusOf(report, '_revinclude')).toBe('warn');
    expect(canRun(report.checks)).toBe(true);
  });

  it('warns, and still passes, on a server without Location, RelatedPerson or Appointment, saying which visits suffer', async () => {
    const { doctor } = await world({
      ...sandboxEhrProfile('strict'),
      absentTypes: ['Location', 'RelatedPerson', 'Appointment'],
    });
    const report = await doctor();
    const detail = (name: string) => report.checks.find((c) => c.name === name);
    expect(detail('Location read')).toMatchObject({ status: 'warn' });
    expect(detail('Location read')?.detail).toMatch(/visits with a location .*cannot be billed/);
    expect(detail('Location read')?.remedy).toContain('system/Location.r');
    expect(detail('RelatedPerson read')).toMatchObject({ status: 'warn' });
    expect(detail('RelatedPerson read')?.detail).toMatch(
      /dependents .*RelatedPerson.* cannot be billed/,
    );
    expect(detail('Appointment search-type')).toMatchObject({ status: 'warn' });
    expect(detail('Appointment search-type')?.detail).toContain(
      'eligibility is checked when the patient arrives, not when the visit is booked',
    );
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(canRun(report.checks)).toBe(true);
  });

  it('fails a server that takes no ChargeItem writes, naming them', async () => {
    const { doctor } = await world({
      ...sandboxEhrProfile('strict'),
      writes: { ChargeItem: { create: false, update: false } },
    });
    const report = await doctor();
    const coding = report.checks.find((c) => c.name === 'where the coding lives');
    expect(coding?.status).toBe('fail');
    expect(coding?.detail).toContain('ChargeItem create');
    expect(canRun(report.checks)).toBe(false);
  });

  it('fails a server without SMART Backend Services', async () => {
    const { doctor } = await world({ ...sandboxEhrProfile('strict'), backendServices: false });
    const report = await doctor();
    expect(statusOf(report, 'client_credentials')).toBe('fail');
    expect(canRun(report.checks)).toBe(false);
  });

  it('names the scopes the EHR did not grant the worker', async () => {
    const { doctor, env, ehr } = await world(sandboxEhrProfile('strict'));
    const report = await runDoctor({
      ...doctorInputFromEnv(env, ehr.fhirBase),
      workerScope: `${DEFAULT_WORKER_SCOPE} system/Observation.rs`,
    });
    const scopes = report.checks.find((c) => c.name === 'scopes');
    expect(scopes?.status).toBe('warn');
    expect(scopes?.detail).toContain('system/Observation.rs');
    expect(canRun((await doctor()).checks)).toBe(true);
  });

  it('exits 0 only when ChartBill can run, and prints JSON with --json', async () => {
    const good = await world(sandboxEhrProfile('strict'));
    for (const [k, v] of Object.entries(good.env)) vi.stubEnv(k, v);
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
    expect(await doctorCommand(['--iss', good.ehr.fhirBase, '--json'])).toBe(0);
    expect((JSON.parse(out.join('\n')) as DoctorReport).iss).toBe(good.ehr.fhirBase);
    const bad = await world(sandboxEhrProfile('epic-like'));
    out.length = 0;
    expect(await doctorCommand(['--iss', bad.ehr.fhirBase])).toBe(1);
    expect(out.join('\n')).toMatch(/FAIL {2}FHIR: where the coding lives/);
    expect(out.join('\n')).toContain('ChartBill cannot run yet');
  });
});
