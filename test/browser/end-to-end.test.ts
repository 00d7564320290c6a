import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bundle, ChargeItem, Claim, ClaimResponse, Provenance } from 'fhir/r4';
import { collect835 } from '../../src/x12/collect-835.ts';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxEhrProfile, type SandboxEhrProfileName } from '../../sandbox/ehr-profiles.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import type { SandboxStack } from '../../cli/sandbox-stack.ts';
import { addCode, launchFromEhr as launch } from './app-frame.ts';
import { launchChromium } from './browser.ts';
import { startTestStack } from './sandbox-stack-fixture.ts';

/**
 * Every profile: on `epic-like` and `oracle-like` the EHR cannot hold the coding or take Claim
 * writes, so the sandbox runs a billing store beside it and the app and worker use it.
 */
const PROFILES: SandboxEhrProfileName[] = ['strict', 'medplum-like', 'epic-like', 'oracle-like'];

let stack: SandboxStack;
let browser: Browser;

/** A search of the store that holds the coding and claims: the billing store when there is one. */
async function fhirSearch<T>(
  type: string,
  query: string,
  server = stack.billing ?? stack.ehr,
): Promise<T[]> {
  const token = await server.issueSystemToken('system/*.rs');
  const res = await fetch(`${server.fhirBase}/${type}?${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  // Epic has no ChargeItem endpoint at all: 404, so none there.
  if (res.status === 404) return [];
  expect(res.status).toBe(200);
  const bundle = (await res.json()) as Bundle;
  return (bundle.entry ?? []).map((e) => e.resource as T);
}

/**
 * How long a claim may take to reach the chart: a hang's cap, not an expectation. On
 * `medplum-like` the sandbox's per-minute quota (sandbox/medplum-faults.ts) may answer 429 and
 * the worker then waits out the minute, as it must with Medplum; a busy machine adds more.
 */
const WORKER_PATIENCE_MS = 150_000;

describe.each(PROFILES)('the loop, end to end, in a real browser (sandbox EHR %s)', (profile) => {
  beforeAll(async () => {
    [stack, browser] = await Promise.all([
      startTestStack(true, sandboxEhrProfile(profile)),
      launchChromium(),
    ]);
  });

  afterAll(async () => {
    await browser.close();
    await stack.close();
  });

  it(
    'a clinician codes an encounter inside the EHR, finishes it, and sees the payer paid the claim',
    async () => {
      const encounterId = SEED_SCENARIOS.inProgress[0];
      const page = await browser.newPage();
      let frame = await launch(page, stack.ehrLaunchUrl, encounterId);

      // An EHR launch says need_patient_banner=false: the EHR shows the patient, the app does not repeat it.
      expect(await page.locator('body').textContent()).toContain('Okafor, Avery');
      expect(await frame.locator('.banner').count()).toBe(0);
      expect(await frame.locator('.encounter-line').textContent()).toContain('Ferrante');
      await addCode(frame, 'Add diagnosis (ICD-10-CM)', 'htn', 'I10');
      await addCode(frame, 'Add service (CPT/HCPCS)', '99213', '99213');
      await frame.getByText('No problems found.').waitFor();
      await frame.getByRole('button', { name: 'Sign off' }).click();
      await frame.getByText('Signed off: the charges are ready for billing.').waitFor();

      // The charge is where the EHR can hold it: with a billing store, there and not in the EHR,
      // with a Provenance naming who wrote it.
      const charges = await fhirSearch<ChargeItem>(
        'ChargeItem',
        `context=Encounter/${encounterId}`,
      );
      expect(charges.map((c) => c.code.coding?.[0]?.code)).toEqual(['99213']);
      const chargeRef = `ChargeItem/${charges[0]?.id ?? ''}`;
      const provenance = await fhirSearch<Provenance>('Provenance', '_count=1000');
      const ofCharge = provenance.filter((p) =>
        p.target.some((t) => t.reference?.startsWith(`${chargeRef}/`) || t.reference === chargeRef),
      );
      expect(ofCharge[0]?.agent[0]?.who.reference).toMatch(/^Practitioner\//);
      if (stack.billing) {
        const inEhr = await fhirSearch<ChargeItem>(
          'ChargeItem',
          `context=Encounter/${encounterId}`,
          stack.ehr,
        );
        expect(inEhr).toHaveLength(0);
      }

      // The EHR finishes the encounter; the worker picks it up on its next tick.
      await page.goto(stack.ehrLaunchUrl);
      await page
        .locator(`button[data-encounter-id="${encounterId}"]`, { hasText: 'Finish encounter' })
        .first()
        .click();
      await page.waitForURL(stack.ehrLaunchUrl);

      frame = await launch(page, stack.ehrLaunchUrl, encounterId);
      await frame.getByRole('tab', { name: 'Claim status' }).click();
      const claim = frame.locator('section[aria-labelledby="enc-claims-h"] .claim.stage-paid');
      await claim.waitFor({ timeout: WORKER_PATIENCE_MS });
      expect(await claim.locator('.claim-stage').textContent()).toBe('Paid');
      const paid = await claim.locator('dd.paid').textContent();
      expect(Number(paid?.replace(/[$,]/g, ''))).toBeGreaterThan(0);
      expect(await claim.locator('dd.patient-resp').textContent()).toBe('$25.00');

      // Exactly one claim and one payer answer were written for the encounter.
      const claims = await fhirSearch<Claim>(
        'Claim',
        `identifier=${encodeURIComponent(`https://chartbill.dev/fhir/identifier/claim|enc-${encounterId}`)}`,
      );
      expect(claims).toHaveLength(1);
      const responses = await fhirSearch<ClaimResponse>(
        'ClaimResponse',
        `request=Claim/${claims[0]?.id ?? ''}`,
      );
      expect(responses).toHaveLength(1);
      await page.close();
    },
    2 * WORKER_PATIENCE_MS,
  );

  it(
    'shows billing staff a denial with its CARC reason, and a held claim’s work item',
    async () => {
      const page = await browser.newPage();
      // The seeded timely-filing encounter is denied by the payer (CARC 29) within the first ticks.
      const frame = await launch(page, stack.ehrLaunchUrl, SEED_SCENARIOS.timelyFiling);
      await frame.getByRole('tab', { name: 'Claim status' }).click();
      const denied = frame.locator('section[aria-labelledby="enc-claims-h"] .claim.stage-denied');
      await denied.waitFor({ timeout: WORKER_PATIENCE_MS });
      expect(await denied.locator('.denials').textContent()).toContain('CARC 29');

      // A patient with no coverage on file gets a work item for billing staff, not a claim.
      const held = await launch(page, stack.ehrLaunchUrl, SEED_SCENARIOS.noCoverage);
      await held.getByRole('tab', { name: 'Claim status' }).click();
      await held
        .locator('.task', { hasText: 'No active coverage on file' })
        .waitFor({ timeout: WORKER_PATIENCE_MS });
      expect(await held.locator('section[aria-labelledby="enc-claims-h"] .claim').count()).toBe(0);
      await page.close();
    },
    2 * WORKER_PATIENCE_MS,
  );

  // The X12 path (issue 15): one profile is enough to show it, the others differ only in stores.
  it.runIf(profile === 'strict')(
    'sends a claim to an X12 payer as an 837P over SFTP and shows the 999, 277CA and 835 in the chart',
    async () => {
      const page = await browser.newPage();
      // Sandbox Mutual's member: the worker routes the claim to the sandbox clearinghouse.
      const frame = await launch(page, stack.ehrLaunchUrl, SEED_SCENARIOS.x12[1]);
      await frame.getByRole('tab', { name: 'Claim status' }).click();
      const claim = frame.locator(
        'section[aria-labelledby="enc-claims-h"] .claim.stage-partially-paid',
      );
      await claim.waitFor({ timeout: 90_000 });
      // The clearinghouse's steps on the timeline: the 999, then the 277CA's acceptance.
      const timeline = (await claim.locator('.timeline').textContent()) ?? '';
      expect(timeline).toContain('Received by clearinghouse (999)');
      expect(timeline).toContain('Accepted by clearinghouse');
      // The ERA's amounts and adjustment reasons, as the clearinghouse's 835 file says them.
      const archive = join(stack.clearinghouse.sftp.root, 'receive', 'archive');
      const eras = [];
      for (const name of (await readdir(archive)).filter((n) => n.includes('-835-')))
        eras.push(...(await collect835(await readFile(join(archive, name), 'utf8'))));
      const remit = eras
        .flatMap((e) => e.claims)
        .find((c) => c.patientControlNumber === `enc-${SEED_SCENARIOS.x12[1]}`);
      expect(remit?.paid).toBeGreaterThan(0);
      const money = async (cls: string) =>
        Number((await claim.locator(`dd.${cls}`).textContent())?.replace(/[$,]/g, ''));
      expect(await money('paid')).toBe(remit?.paid);
      expect(await money('patient-resp')).toBe(remit?.patientResponsibility);
      const reasons = remit?.lines.flatMap((l) => l.adjustments.map((a) => a.reason)) ?? [];
      expect(reasons).toContain('96');
      expect(await claim.locator('.denials').textContent()).toContain('CARC 96');
      // It went through the clearinghouse (eligibility in real time, the claim as a file).
      const audit = stack.clearinghouse.audit();
      expect(audit.claimsAdjudicated).toBeGreaterThanOrEqual(1);
      expect(audit.realTime.X12_270_Request_005010X279A1).toBeGreaterThanOrEqual(1);
      await page.close();
    },
  );
});
