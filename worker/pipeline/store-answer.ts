import type { ClaimResponse } from 'fhir/r4';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { identifierQuery } from '../../src/fhir/identifier-query.ts';
import { writerTag } from '../../src/fhir/systems.ts';
import type { ClaimWithId } from './pipeline-types.ts';

/**
 * A payer's answer outside the encounter pipeline (a void's, an appeal's decision) written to the
 * billing store with `request` → our Claim, once: If-None-Exist on the payer's identifier, so a
 * second look at the same answer finds the first (`created` false) and writes nothing.
 */
export async function storeAnswer(
  billing: FhirGateway,
  claim: ClaimWithId,
  answer: ClaimResponse,
): Promise<{ resource: ClaimResponse; created: boolean }> {
  const response: ClaimResponse = {
    ...answer,
    meta: { tag: [writerTag('worker')] },
    request: {
      reference: `Claim/${claim.id}`,
      ...(claim.identifier?.[0] ? { identifier: claim.identifier[0] } : {}),
    },
  };
  // The payer's id means nothing in our store; the billing store assigns its own.
  delete response.id;
  const identifier = answer.identifier?.[0];
  return billing.create(response, identifier ? { ifNoneExist: identifierQuery(identifier) } : {});
}
