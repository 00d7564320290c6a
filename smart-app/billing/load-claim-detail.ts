import type {
  Claim,
  ClaimResponse,
  CoverageEligibilityResponse,
  FhirResource,
  Patient,
  PaymentReconciliation,
  Task,
} from 'fhir/r4';
import type { CodeSet } from '../../src/codes/code-set.ts';
import {
  claimDetail,
  latestAnswer,
  replacingClaim,
} from '../../src/billing-office/claim-detail.ts';
import type { ClaimDetail, HistoryGap } from '../../src/billing-office/claim-detail-types.ts';
import { bookedAsOf, eligibilityLink } from '../../src/claims/eligibility-links.ts';
import { provenanceOf } from '../../src/audit/provenance-of.ts';
import type { EditReference } from '../../src/edits/edit-reference.ts';
import { runEdits } from '../../src/edits/run-edits.ts';
import { AppError } from '../../src/errors/app-error.ts';
import { errorMessage } from '../../src/errors/error-message.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { loadEncounterCoding, type LoadedEncounter } from '../coding/encounter-coding.ts';

/** A FHIR id (R4 §2.24.0.1); a claim id from the URL goes into searches only after this check. */
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

function ofType<T extends FhirResource>(type: T['resourceType']) {
  return (found: FhirResource[]): T[] => found.filter((r): r is T => r.resourceType === type);
}

/** Reads the claim, or answers 404 in words. */
export async function readClaim(
  fhir: FhirGateway,
  claimId: string,
): Promise<Claim & { id: string }> {
  if (!FHIR_ID.test(claimId))
    throw new AppError('INPUT_INVALID', 'The claim id in the address is not a FHIR id.');
  try {
    const claim = await fhir.read<Claim>('Claim', claimId);
    return { ...claim, id: claim.id ?? claimId };
  } catch (err) {
    if (err instanceof AppError && err.upstreamStatus === 404)
      throw new AppError('BILLING_CLAIM_NOT_FOUND', `There is no claim ${claimId}.`, {
        cause: err,
      });
    throw err;
  }
}

/** The encounter id of a claim: its lines' encounter, else ChartBill's claim identifier. */
export function encounterOfClaim(claim: Claim): string | undefined {
  const ref = claim.item?.[0]?.encounter?.[0]?.reference;
  if (ref?.startsWith('Encounter/')) return ref.slice('Encounter/'.length);
  const ours = claim.identifier?.find((i) => i.system === SYSTEM.claimId)?.value;
  return ours ? /^enc-(.+?)(?:-[rv]\d+)?$/.exec(ours)?.[1] : undefined;
}

export interface LoadedClaim {
  detail: ClaimDetail;
  claim: Claim & { id: string };
  answer: ClaimResponse | undefined;
  encounter: LoadedEncounter | undefined;
  tasks: Task[];
}

/**
 * A part of the history the page can go without: read, or turned into a gap the page names (the
 * biller sees "payments could not be read" and why, never a timeline that is quietly short).
 */
async function orGap<T>(gaps: HistoryGap[], part: string, read: () => Promise<T[]>): Promise<T[]> {
  try {
    return await read();
  } catch (err) {
    gaps.push({ part, message: errorMessage(err) });
    return [];
  }
}

/**
 * Reads everything the claim page shows, with the caller's gateway (their token, their audit
 * trail): the claim and its versions, the encounter's claims, answers, eligibility, payments,
 * Tasks, Provenance, and the chart's coding with the edits that fire on it now. Payments are
 * found among the newest 500 PaymentReconciliations (R4 has no search on `detail.request`).
 * The claim, its answers and its Tasks decide the amounts and actions: a failure to read them
 * fails the request. What only the timeline shows (versions, eligibility, payments, who wrote
 * what) becomes a `historyGaps` entry when it cannot be read, so the page still opens.
 */
export async function loadClaimDetail(
  fhir: FhirGateway,
  claimId: string,
  codes: CodeSet,
  reference: EditReference,
): Promise<LoadedClaim> {
  const claim = await readClaim(fhir, claimId);
  const encounterId = encounterOfClaim(claim);
  const patientId = claim.patient.reference?.replace(/^Patient\//, '') ?? '';
  const claimRef = `Claim/${claimId}`;
  const gaps: HistoryGap[] = [];
  const [versions, siblings, responses, eligibility, payments, focused, ofEncounter] =
    await Promise.all([
      orGap(gaps, 'the claim’s versions', () =>
        fhir.searchAll(`Claim/${claimId}/_history`, {}).then(ofType<Claim>('Claim')),
      ),
      encounterId
        ? fhir.searchAll('Claim', { encounter: `Encounter/${encounterId}`, _count: 50 })
        : Promise.resolve([]),
      fhir.searchAll('ClaimResponse', { request: claimRef, _count: 50 }),
      orGap(gaps, 'the eligibility answers', () =>
        fhir
          .searchAll('CoverageEligibilityResponse', { patient: `Patient/${patientId}`, _count: 50 })
          .then(ofType<CoverageEligibilityResponse>('CoverageEligibilityResponse')),
      ),
      orGap(gaps, 'the payments', () =>
        fhir
          .searchAll('PaymentReconciliation', { _sort: '-_lastUpdated', _count: 100 }, 500)
          .then(ofType<PaymentReconciliation>('PaymentReconciliation')),
      ),
      fhir.searchAll('Task', { focus: claimRef, _count: 100 }),
      encounterId
        ? fhir.searchAll('Task', { encounter: `Encounter/${encounterId}`, _count: 100 })
        : Promise.resolve([]),
    ]);
  const answers = ofType<ClaimResponse>('ClaimResponse')(responses);
  const answerIds = new Set(answers.map((r) => `ClaimResponse/${r.id ?? ''}`));
  const tasks = [
    ...new Map(
      ofType<Task>('Task')([...focused, ...ofEncounter]).map((t) => [t.id, t] as const),
    ).values(),
  ];
  // Who wrote each version of the claim (the worker that assembled and submitted it) and the
  // current version of each of its Tasks (the biller who acted): ChartBill's Provenance names the
  // exact version (provenance-of.ts), and lives beside its target (routed-gateway.ts).
  const provenance = await orGap(gaps, 'who wrote what (Provenance)', () =>
    provenanceOf(fhir, [
      claimRef,
      ...versions.flatMap((v) =>
        v.meta?.versionId ? [`${claimRef}/_history/${v.meta.versionId}`] : [],
      ),
      ...(claim.meta?.versionId ? [`${claimRef}/_history/${claim.meta.versionId}`] : []),
      ...tasks.flatMap((t) =>
        t.id && t.meta?.versionId ? [`Task/${t.id}/_history/${t.meta.versionId}`] : [],
      ),
    ]),
  );
  // A replaced claim's state is its replacement's answer (a reversal names only the old claim).
  const replacement = replacingClaim(claim, ofType<Claim>('Claim')(siblings));
  const [patient, encounter, replacementResponses] = await Promise.all([
    fhir.read<Patient>('Patient', patientId),
    encounterId ? loadEncounterCoding(fhir, patientId, encounterId, reference) : undefined,
    replacement?.id
      ? fhir
          .searchAll('ClaimResponse', { request: `Claim/${replacement.id}`, _count: 50 })
          .then(ofType<ClaimResponse>('ClaimResponse'))
      : Promise.resolve([]),
  ]);
  const coding = encounter?.coding ?? { diagnoses: [], lines: [] };
  const name = patient.name?.[0];
  const detail = claimDetail({
    claim,
    versions,
    siblings: ofType<Claim>('Claim')(siblings),
    responses: answers,
    // The visit's own checks and the one its appointment got when booked (eligibility-links.ts).
    eligibility: eligibility.filter(
      (e) =>
        !encounterId ||
        eligibilityLink(
          { identifier: e.request.identifier, servicedDate: e.servicedDate },
          {
            encounterId,
            bookedAs: encounter ? bookedAsOf(encounter.encounter) : [],
            ...(claim.billablePeriod?.start
              ? { dateOfService: claim.billablePeriod.start.slice(0, 10) }
              : {}),
          },
        ),
    ),
    payments: payments.filter((p) =>
      (p.detail ?? []).some(
        (d) =>
          d.request?.reference === claimRef || answerIds.has(d.response?.reference ?? '\u0000'),
      ),
    ),
    tasks,
    provenance,
    patientName: name?.text ?? [name?.given?.join(' '), name?.family].filter(Boolean).join(' '),
    coding,
    findings: encounter ? runEdits(coding, encounter.facts, codes, reference) : [],
    gaps,
    replacementResponses,
  });
  return { detail, claim, answer: latestAnswer(claim, answers), encounter, tasks };
}
