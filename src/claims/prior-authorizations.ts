import type { ClaimResponse } from 'fhir/r4';

/**
 * The prior authorization numbers that cover a visit, from the payer's answers to prior
 * authorization requests (ClaimResponse `use` = `preauthorization`, as Da Vinci PAS records
 * them): approved (`outcome` complete or partial), with a `preAuthRef`, and a `preAuthPeriod`
 * that holds the date of service when it has one. They go in Claim.insurance.preAuthRef
 * (837P 2300 REF*G1). Pure: the caller searches.
 */
export function priorAuthorizationsFor(
  responses: readonly ClaimResponse[],
  dateOfService: string,
): string[] {
  const numbers = responses
    .filter((r) => r.use === 'preauthorization' && r.status === 'active')
    .filter((r) => r.outcome === 'complete' || r.outcome === 'partial')
    .filter((r) => {
      const { start, end } = r.preAuthPeriod ?? {};
      return (
        (start ?? '0000').slice(0, 10) <= dateOfService &&
        dateOfService <= (end ?? '9999').slice(0, 10)
      );
    })
    .map((r) => r.preAuthRef)
    .filter((ref): ref is string => typeof ref === 'string' && ref.length > 0);
  return [...new Set(numbers)];
}
