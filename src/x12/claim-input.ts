import type {
  Bundle,
  Claim,
  Coverage,
  Location,
  Organization,
  Patient,
  Practitioner,
  RelatedPerson,
  Resource,
} from 'fhir/r4';
import type { FhirGateway } from '../fhir/fhir-gateway.ts';
import { idOfReference } from '../fhir/reference-id.ts';
import type { Claim837Input } from './claim-837-input.ts';
import { ClaimNotExpressibleError } from './x12-error.ts';

/** The Claim and every resource it references, read from the FHIR server (`chartbill x12 837`, the 276). */
export async function claimInput(fhir: FhirGateway, claimId: string): Promise<Claim837Input> {
  const claim = await fhir.read<Claim>('Claim', claimId);
  const coverageId = idOfReference(claim.insurance[0]?.coverage.reference, 'Coverage');
  const orgId = idOfReference(claim.provider.reference, 'Organization');
  const patientId = idOfReference(claim.patient.reference, 'Patient');
  if (!coverageId || !orgId || !patientId)
    throw new Error(
      `Claim/${claimId} does not reference its Patient, Coverage and billing Organization`,
    );
  const [patient, coverage, billingProvider] = await Promise.all([
    fhir.read<Patient>('Patient', patientId),
    fhir.read<Coverage>('Coverage', coverageId),
    fhir.read<Organization>('Organization', orgId),
  ]);
  const payerId = idOfReference(coverage.payor[0]?.reference, 'Organization');
  const practitionerIds = (claim.careTeam ?? [])
    .map((c) => idOfReference(c.provider.reference, 'Practitioner'))
    .filter((id): id is string => id !== undefined);
  const locationId = idOfReference(claim.facility?.reference, 'Location');
  const subscriberRef = coverage.subscriber?.reference;
  const [payer, practitioners, location, subscriber] = await Promise.all([
    payerId ? fhir.read<Organization>('Organization', payerId) : undefined,
    Promise.all(practitionerIds.map((id) => fhir.read<Practitioner>('Practitioner', id))),
    locationId ? fhir.read<Location>('Location', locationId) : undefined,
    subscriberRef?.startsWith('RelatedPerson/')
      ? fhir.read<RelatedPerson>('RelatedPerson', subscriberRef.split('/')[1] ?? '')
      : subscriberRef?.startsWith('Patient/') && !subscriberRef.endsWith(`/${patientId}`)
        ? fhir.read<Patient>('Patient', subscriberRef.split('/')[1] ?? '')
        : undefined,
  ]);
  return {
    claim,
    patient,
    coverage,
    billingProvider,
    practitioners,
    ...(payer ? { payer } : {}),
    ...(location ? { location } : {}),
    ...(subscriber ? { subscriber } : {}),
  };
}

/**
 * The 837P input from a submission Bundle (`submissionBundle`: the Claim first, then the
 * resources it references). A resource the Claim needs and the Bundle lacks is named, as any
 * other element an 837P cannot do without.
 */
export function claimInputOfBundle(bundle: Bundle): Claim837Input {
  const resources = (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
  const first = resources[0];
  if (first?.resourceType !== 'Claim')
    throw new ClaimNotExpressibleError('the Claim', '837P', 'the submission holds no Claim first');
  const claim = first as Claim;
  const byRef = (reference: string | undefined, type: string) => {
    const id = idOfReference(reference, type);
    return resources.find((r) => r.resourceType === type && r.id === id);
  };
  const need = (found: Resource | undefined, element: string, x12: string): Resource => {
    if (!found) throw new ClaimNotExpressibleError(element, x12, 'not in the submission');
    return found;
  };
  const coverage = need(
    byRef(claim.insurance[0]?.coverage.reference, 'Coverage'),
    'Claim.insurance.coverage',
    '2000B SBR',
  ) as Coverage;
  const patient = need(
    byRef(claim.patient.reference, 'Patient'),
    'Claim.patient',
    '2010BA',
  ) as Patient;
  const billingProvider = need(
    byRef(claim.provider.reference, 'Organization'),
    'Claim.provider',
    '2010AA',
  ) as Organization;
  const payer = byRef(coverage.payor[0]?.reference, 'Organization') as Organization | undefined;
  const practitioners = resources.filter(
    (r): r is Practitioner => r.resourceType === 'Practitioner',
  );
  const location = byRef(claim.facility?.reference, 'Location') as Location | undefined;
  const subscriberRef = coverage.subscriber?.reference;
  const subscriber =
    subscriberRef && !subscriberRef.endsWith(`/${patient.id ?? ''}`)
      ? ((byRef(subscriberRef, 'RelatedPerson') ?? byRef(subscriberRef, 'Patient')) as
          Patient | RelatedPerson | undefined)
      : undefined;
  return {
    claim,
    patient,
    coverage,
    billingProvider,
    practitioners,
    ...(payer ? { payer } : {}),
    ...(location ? { location } : {}),
    ...(subscriber ? { subscriber } : {}),
  };
}
