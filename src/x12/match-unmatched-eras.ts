import type { ClaimResponse, PaymentReconciliation } from 'fhir/r4';
import type { FhirGateway } from '../fhir/fhir-gateway.ts';
import { writerTag } from '../fhir/systems.ts';
import { findClaim } from './import-era.ts';
import { X12_SYSTEM } from './x12-systems.ts';

/** An ERA answer matched to its claim at last. */
export interface MatchedEra {
  /** CLP01 as the ERA said it. */
  patientControlNumber: string;
  /** CLP07. */
  payerClaimControlNumber: string;
  claim: string;
}

/**
 * Matches the ERA answers kept as unmatched (their CLP01 named no claim ChartBill knew) whose
 * claim is now known: the ClaimResponse's `request` and `patient` become the Claim's, and the
 * payment's detail for it names the Claim too (found by the ERA's payer id/trace). One search
 * finds the unmatched answers; matched ones lose their unmatched identifier, so they are not
 * looked at again. Give it an audited gateway: each write has its Provenance and AuditEvent.
 */
export async function matchUnmatchedEras(fhir: FhirGateway): Promise<MatchedEra[]> {
  const found = await fhir.searchAll(
    'ClaimResponse',
    { identifier: `${X12_SYSTEM.unmatchedClaim}|` },
    500,
  );
  const matched: MatchedEra[] = [];
  for (const response of found) {
    if (response.resourceType !== 'ClaimResponse' || !response.id) continue;
    const pcn = response.identifier?.find((i) => i.system === X12_SYSTEM.unmatchedClaim)?.value;
    if (!pcn) continue;
    const claim = await findClaim(fhir, pcn);
    if (!claim) continue;
    const version = response.meta?.versionId;
    await fhir.update<ClaimResponse>(
      {
        ...response,
        id: response.id,
        meta: { tag: [writerTag('worker')] },
        identifier: (response.identifier ?? []).filter(
          (i) => i.system !== X12_SYSTEM.unmatchedClaim,
        ),
        request: claim.reference,
        patient: claim.patient,
      },
      version ? { ifMatchVersion: version } : {},
    );
    await relinkPayment(fhir, { ...response, id: response.id }, claim.reference);
    matched.push({
      patientControlNumber: pcn,
      payerClaimControlNumber:
        response.identifier?.find((i) => i.system === X12_SYSTEM.payerClaimNumber)?.value ?? '',
      claim: claim.reference.reference ?? '',
    });
  }
  return matched;
}

/** The payment's detail for the answer now names the Claim. */
async function relinkPayment(
  fhir: FhirGateway,
  response: ClaimResponse & { id: string },
  request: { reference?: string },
): Promise<void> {
  const trace = response.payment?.identifier?.value;
  if (!trace) return;
  const payerId = response.insurer.identifier?.value ?? '';
  const payments = await fhir.searchAll(
    'PaymentReconciliation',
    { identifier: `${X12_SYSTEM.eraPayment}|${payerId}/${trace}` },
    2,
  );
  for (const payment of payments) {
    if (payment.resourceType !== 'PaymentReconciliation' || !payment.id) continue;
    const own = `ClaimResponse/${response.id}`;
    if (!payment.detail?.some((d) => d.response?.reference === own)) continue;
    const version = payment.meta?.versionId;
    await fhir.update<PaymentReconciliation>(
      {
        ...payment,
        id: payment.id,
        meta: { tag: [writerTag('worker')] },
        detail: payment.detail.map((d) => (d.response?.reference === own ? { ...d, request } : d)),
      },
      version ? { ifMatchVersion: version } : {},
    );
  }
}
