import type {
  Claim,
  CoverageEligibilityRequest,
  CoverageEligibilityResponse,
  Encounter,
} from 'fhir/r4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_CLIENT_ID, type SandboxStack } from '../../cli/sandbox-stack.ts';
import type { ClaimDetail } from '../../src/billing-office/claim-detail-types.ts';
import { appointmentEligibilityIdentifierFor } from '../../src/claims/build-eligibility-request.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { identifierToken } from '../../src/fhir/identifier-query.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import type { StatusView } from '../../smart-app/status/status-model.ts';
import { billingApi, billingSignIn } from '../billing-office/billing-sign-in.ts';
import { startTestStack } from '../browser/sandbox-stack-fixture.ts';
import { all, bookVisit, codeEncounter, idOf } from '../worker/worker-kit.ts';
import { api, launchSession } from './launch-driver.ts';

/**
 * A visit booked ahead, checked for eligibility when booked, and billed reusing that answer
 * (issue 15): the chart's claim timeline (/api/status) and the billing office's claim history
 * (/api/billing/claims/:id) show the answer, read over HTTP as the app's pages read them.
 */
describe('the eligibility answer a booked visit reused', { timeout: 120_000 }, () => {
  let stack: SandboxStack;
  let fhir: FhirGateway;
  const patient = 'Patient/pat-07';

  beforeAll(async () => {
    stack = await startTestStack(false);
    const token = await stack.ehr.issueSystemToken('system/*.cruds');
    fhir = createFhirGateway({ baseUrl: stack.fhirBase, getToken: () => Promise.resolve(token) });
    await stack.worker.tick();
  }, 180_000);
  afterAll(async () => {
    await stack.close();
  });

  async function bookedVisit(): Promise<{ appointmentId: string; encounterId: string }> {
    const appointment = await bookVisit(fhir, patient, 5);
    await stack.worker.tick();
    const periodStart = new Date().toISOString();
    const { resource: opened } = await fhir.create<Encounter>({
      resourceType: 'Encounter',
      status: 'in-progress',
      class: { system: SYSTEM.actCode, code: 'AMB' },
      subject: { reference: patient },
      appointment: [{ reference: `Appointment/${appointment.id}` }],
      period: { start: periodStart },
      participant: [{ individual: { reference: 'Practitioner/pr-1' } }],
      serviceProvider: { reference: 'Organization/org-billing' },
    });
    const encounterId = idOf(opened);
    await codeEncounter(fhir, {
      patient,
      encounter: encounterId,
      start: periodStart,
      diagnosis: 'J06.9',
      service: '99213',
    });
    const current = await fhir.read<Encounter>('Encounter', encounterId);
    await fhir.update<Encounter>({
      ...current,
      status: 'finished',
      period: { start: periodStart, end: new Date().toISOString() },
    });
    await stack.worker.tick();
    return { appointmentId: appointment.id, encounterId };
  }

  it('shows "Eligibility checked when booked" in the chart and in the claim history', async () => {
    const before = stack.payerAudit().eligibilityChecks;
    const { appointmentId, encounterId } = await bookedVisit();
    // One question to the payer, at booking; the visit reused its answer.
    expect(stack.payerAudit().eligibilityChecks - before).toBe(1);
    const [asked] = await all<CoverageEligibilityRequest>(fhir, 'CoverageEligibilityRequest', {
      identifier: identifierToken(appointmentEligibilityIdentifierFor(appointmentId)),
    });
    const [answer] = await all<CoverageEligibilityResponse>(fhir, 'CoverageEligibilityResponse', {
      request: `CoverageEligibilityRequest/${asked ? idOf(asked) : ''}`,
    });
    const checkedOn = answer?.created.slice(0, 10) ?? 'no answer';

    const handle = await launchSession(stack.ehr, stack.appUrl, APP_CLIENT_ID, encounterId);
    const status = await api(stack.appUrl, handle, '/api/status');
    expect(status.status).toBe(200);
    const view = status.json as unknown as StatusView;
    const claim = view.claims.find((c) => c.encounterId === encounterId);
    expect(claim?.stage).not.toBe('held');
    expect(claim?.steps.map((s) => s.label)).toContain(
      `Eligibility checked when booked, ${checkedOn}: in force`,
    );

    const [stored] = await all<Claim>(fhir, 'Claim', {
      identifier: `${SYSTEM.claimId}|enc-${encounterId}`,
    });
    const biller = await billingSignIn(stack, 'pr-biller');
    const res = await billingApi(stack, biller, `/api/billing/claims/${stored?.id ?? ''}`);
    expect(res.status, res.text).toBe(200);
    const detail = res.json as unknown as ClaimDetail;
    expect(detail.timeline.filter((e) => e.kind === 'eligibility').map((e) => e.title)).toEqual([
      'Eligibility checked when booked: in force',
    ]);
  });
});
