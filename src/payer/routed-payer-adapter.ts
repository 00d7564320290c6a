import type { Bundle, Coverage, Organization } from 'fhir/r4';
import { AppError } from '../errors/app-error.ts';
import { idOfReference } from '../fhir/reference-id.ts';
import type { PayerAdapter } from './payer-adapter.ts';
import { knownPayerIdOf } from './payer-ids.ts';

/**
 * Several payer connections as one (issue 15, item 7): the payer id on the Coverage's payor
 * Organization decides which one a request goes to, the first that lists it (an X12
 * clearinghouse, FHIR `$submit`). A Coverage whose payor is a person (self-pay) never gets here:
 * `payerProblem` holds it before anything is sent. `claimStatus` asks each connection in turn;
 * the one that sent the claim knows it (the X12 one answers from its own records first, without
 * a network call, when it never sent the claim).
 */
export function routedPayerAdapter(adapters: readonly PayerAdapter[]): PayerAdapter {
  const only = adapters[0];
  if (adapters.length === 1 && only) return only;
  const pick = (bundle: Bundle): PayerAdapter => {
    const payer = payerOrganizationOf(bundle);
    const found = payer && adapters.find((a) => knownPayerIdOf(payer, a.payerIds));
    if (!found)
      throw new AppError(
        'PAYER_REJECTED',
        `No payer connection reaches ${payer ? `Organization/${payer.id ?? '?'}` : 'the coverage payor'}`,
        { hint: 'Add its payer id to CHARTBILL_PAYER_IDS or CHARTBILL_X12_PAYER_IDS.' },
      );
    return found;
  };
  return {
    payerIds: adapters.flatMap((a) => a.payerIds),
    checkEligibility: (bundle) => pick(bundle).checkEligibility(bundle),
    submitClaim: (bundle) => pick(bundle).submitClaim(bundle),
    async claimStatus(identifier) {
      for (const adapter of adapters) {
        const answer = await adapter.claimStatus(identifier);
        if (answer) return answer;
      }
      return undefined;
    },
  };
}

/** The Organization the bundle's Coverage names as its payor. */
function payerOrganizationOf(bundle: Bundle): Organization | undefined {
  const resources = (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
  const coverage = resources.find((r): r is Coverage => r.resourceType === 'Coverage');
  const id = idOfReference(coverage?.payor[0]?.reference, 'Organization');
  return resources.find((r): r is Organization => r.resourceType === 'Organization' && r.id === id);
}
