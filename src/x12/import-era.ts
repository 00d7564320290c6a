import type { Claim, ClaimResponse, PaymentReconciliation, Reference } from 'fhir/r4';
import type { FhirGateway } from '../fhir/fhir-gateway.ts';
import { identifierQuery } from '../fhir/identifier-query.ts';
import { SYSTEM } from '../fhir/systems.ts';
import type { X12Source } from './envelope-check.ts';
import { eraToPaymentReconciliation, type PaidClaim } from './era-payment-reconciliation.ts';
import { eraClaimToClaimResponse } from './era-to-fhir.ts';
import type { EraClaim, EraPayment, ProviderAdjustment } from './era-types.ts';
import { read835 } from './read-835.ts';
import type { ReadSegmentsOptions } from './segment-reader.ts';
import { X12_SYSTEM } from './x12-systems.ts';

/** What an import did. */
export interface EraImportResult {
  payments: { trace: string; amount: number; created: boolean }[];
  claimResponses: number;
  /** ClaimResponses written now (a second import of the same ERA writes none). */
  created: number;
  /**
   * The answers for claims ChartBill knows (`Claim/123`), as stored (a second import finds the
   * first one's), in file order: a claim's new answer (the payer's second look after an appeal)
   * closes what waited for it.
   */
  answers: { claim: string; response: ClaimResponse }[];
  /** CLPs whose CLP01 names no Claim ChartBill knows: kept as ClaimResponses all the same. */
  unmatched: { patientControlNumber: string; payerClaimControlNumber: string; paid: number }[];
}

interface Transaction {
  payment: EraPayment;
  claims: EraClaim[];
  providerAdjustments: ProviderAdjustment[];
}

/**
 * Posts an 835 to the FHIR server: each CLP as a ClaimResponse (request → the Claim whose
 * identifier is CLP01, or the identifier alone when none matches), each payment as a
 * PaymentReconciliation listing them. Every write is a conditional create on an identifier made
 * from the ERA (trace, payer claim number, CLP02), so importing the same file twice changes
 * nothing. Nothing is written before the whole file has been read and balanced. Give it an
 * audited gateway: each write then has its Provenance and AuditEvent.
 */
export async function importEra(
  fhir: FhirGateway,
  source: X12Source,
  options: ReadSegmentsOptions & { now: Date },
): Promise<EraImportResult> {
  const transactions: Transaction[] = [];
  let claims: EraClaim[] = [];
  for await (const event of read835(source, options)) {
    if (event.kind === 'claim') claims.push(event.claim);
    else if (event.kind === 'end') {
      transactions.push({
        payment: event.payment,
        claims,
        providerAdjustments: event.providerAdjustments,
      });
      claims = [];
    }
  }
  const result: EraImportResult = {
    payments: [],
    claimResponses: 0,
    created: 0,
    answers: [],
    unmatched: [],
  };
  const created = options.now.toISOString();
  for (const tx of transactions) {
    const paid: PaidClaim[] = [];
    for (const claim of tx.claims) {
      const match = await findClaim(fhir, claim.patientControlNumber);
      if (!match)
        result.unmatched.push({
          patientControlNumber: claim.patientControlNumber,
          payerClaimControlNumber: claim.payerClaimControlNumber,
          paid: claim.paid,
        });
      const mapped = eraClaimToClaimResponse(claim, tx.payment, {
        created,
        ...(match ? { claim: match } : {}),
      });
      // Unmatched: searchable by its CLP01, so it is matched when the claim becomes known.
      const response: ClaimResponse = match
        ? mapped
        : {
            ...mapped,
            identifier: [
              ...(mapped.identifier ?? []),
              { system: X12_SYSTEM.unmatchedClaim, value: claim.patientControlNumber },
            ],
          };
      const written = await fhir.create<ClaimResponse>(response, {
        ifNoneExist: identifierQuery(response.identifier?.[0] ?? {}),
      });
      result.claimResponses += 1;
      if (written.created) result.created += 1;
      const claimRef = match?.reference.reference;
      if (claimRef) result.answers.push({ claim: claimRef, response: written.resource });
      paid.push({
        request: response.request ?? { display: claim.patientControlNumber },
        response: { reference: `ClaimResponse/${written.resource.id ?? ''}` },
        amount: claim.paid,
      });
    }
    const recon = eraToPaymentReconciliation(tx.payment, paid, tx.providerAdjustments, created);
    const written = await fhir.create<PaymentReconciliation>(recon, {
      ifNoneExist: identifierQuery(recon.identifier?.[0] ?? {}),
    });
    result.payments.push({
      trace: tx.payment.trace,
      amount: tx.payment.amount,
      created: written.created,
    });
  }
  return result;
}

/** The Claim whose patient control number (or claim identifier) is CLP01, if ChartBill has one. */
export async function findClaim(
  fhir: FhirGateway,
  patientControlNumber: string,
): Promise<{ reference: Reference; patient: Reference; insurer?: Reference } | undefined> {
  // CLP01 echoes CLM01: the claim's patient control number (a claim made before it had one
  // sent its claim identifier, so that is looked for too).
  const found = await fhir.searchAll(
    'Claim',
    {
      identifier: [
        `${SYSTEM.patientControlNumber}|${patientControlNumber}`,
        `${SYSTEM.claimId}|${patientControlNumber}`,
      ].join(','),
    },
    2,
  );
  const claim = found.find((r): r is Claim => r.resourceType === 'Claim');
  if (!claim?.id) return undefined;
  return {
    reference: { reference: `Claim/${claim.id}` },
    patient: claim.patient,
    ...(claim.insurer ? { insurer: claim.insurer } : {}),
  };
}
