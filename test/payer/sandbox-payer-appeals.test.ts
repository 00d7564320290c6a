import type { ClaimResponse } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { claimResponseSummary } from '../../src/claims/claim-response-summary.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { startSandboxPayer, type SandboxPayer } from '../../sandbox/payer-server.ts';
import { claimBundle, claimFor, post } from './payer-test-kit.ts';

const running: SandboxPayer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.close()));
});

/** A payer whose clock the test moves: the appeal is decided days after the denial. */
async function startPayer() {
  let now = new Date('2026-03-10T15:00:00Z');
  const payer = await startSandboxPayer({
    port: 0,
    logger: createLogger('silent', 'payer-test'),
    now: () => now,
  });
  running.push(payer);
  return {
    payer,
    later: (days: number) => {
      now = new Date(now.getTime() + days * 86_400_000);
    },
  };
}

// Filed more than 90 days after the date of service: denied CO-29.
const LATE = { encounterId: 'enc-late', dateOfService: '2025-02-01' };
const identifierOf = (encounterId: string) => claimFor({ encounterId }).identifier?.[0];

async function decide(payer: SandboxPayer, encounterId: string, decision: string) {
  return post(
    `${payer.url}/admin/appeals`,
    { claim: identifierOf(encounterId), decision },
    'application/json',
  );
}

async function inquire(payer: SandboxPayer, encounterId: string): Promise<ClaimResponse> {
  const inquiry = {
    resourceType: 'Bundle',
    type: 'collection',
    entry: [{ resource: { resourceType: 'Claim', identifier: [identifierOf(encounterId)] } }],
  };
  const res = await post(`${payer.fhirBase}/Claim/$inquire`, inquiry);
  expect(res.status).toBe(200);
  return res.body as unknown as ClaimResponse;
}

describe("the sandbox payer's appeals desk", () => {
  it('upholds a denial under a new claim number dated the decision: the status answer says so', async () => {
    const { payer, later } = await startPayer();
    const first = (await post(`${payer.fhirBase}/Claim/$submit`, claimBundle(LATE)))
      .body as unknown as ClaimResponse;
    later(20);
    const decided = await decide(payer, LATE.encounterId, 'uphold');
    expect(decided.status).toBe(200);
    const answer = await inquire(payer, LATE.encounterId);
    expect(answer.identifier?.[0]?.value).not.toBe(first.identifier?.[0]?.value);
    expect(answer.created.slice(0, 10)).toBe('2026-03-30');
    expect(answer.disposition).toMatch(/^Appeal decided 2026-03-30: the denial is upheld\./);
    expect(claimResponseSummary(answer).denials.map((d) => d.carc)).toContain('29');
    expect(payer.audit().appeals).toEqual({
      [`${identifierOf('enc-late')?.system ?? ''}|${identifierOf('enc-late')?.value ?? ''}`]: [
        'uphold',
      ],
    });
  });

  it('overturns a denial: the claim is paid as the plan pays, the patient share applied', async () => {
    const { payer, later } = await startPayer();
    await post(`${payer.fhirBase}/Claim/$submit`, claimBundle(LATE));
    later(20);
    expect((await decide(payer, LATE.encounterId, 'overturn')).status).toBe(200);
    const answer = await inquire(payer, LATE.encounterId);
    const summary = claimResponseSummary(answer);
    expect(summary.denials).toEqual([]);
    expect(summary.paid).toBeGreaterThan(0);
    expect(answer.payment?.date).toBe('2026-03-30');
    // Decided: there is nothing left to appeal.
    expect((await decide(payer, LATE.encounterId, 'uphold')).status).toBe(409);
  });

  it('refuses a decision on a claim it paid, or never received, and a body it cannot read', async () => {
    const { payer } = await startPayer();
    await post(`${payer.fhirBase}/Claim/$submit`, claimBundle({ encounterId: 'enc-paid' }));
    expect((await decide(payer, 'enc-paid', 'overturn')).status).toBe(409);
    expect((await decide(payer, 'enc-unknown', 'overturn')).status).toBe(409);
    expect((await decide(payer, LATE.encounterId, 'maybe')).status).toBe(400);
  });

  it('lists denied claims on a page whose buttons decide', async () => {
    const { payer } = await startPayer();
    await post(`${payer.fhirBase}/Claim/$submit`, claimBundle(LATE));
    await post(`${payer.fhirBase}/Claim/$submit`, claimBundle({ encounterId: 'enc-paid' }));
    const page = async () => (await fetch(`${payer.url}/admin/appeals`)).text();
    const value = identifierOf(LATE.encounterId)?.value ?? '';
    const before = await page();
    expect(before).toContain(value);
    expect(before).not.toContain(identifierOf('enc-paid')?.value ?? '');
    const form = new URLSearchParams({
      system: identifierOf(LATE.encounterId)?.system ?? '',
      value,
      decision: 'overturn',
    });
    const res = await fetch(`${payer.url}/admin/appeals`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    expect(await page()).toContain('No denied claims.');
    expect(claimResponseSummary(await inquire(payer, LATE.encounterId)).denials).toEqual([]);
  });
});
