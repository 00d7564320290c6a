import type { CapabilityStatement, CapabilityStatementRestResource } from 'fhir/r4';
import { declaredSearchParams } from './search-parameters.ts';
import { profileAllows, sandboxEhrProfile, type SandboxEhrProfile } from './ehr-profiles.ts';

/** Resource types the sandbox advertises (the router serves every R4 type; these are the ones ChartBill uses). */
export const ADVERTISED_TYPES = [
  'Patient',
  'Practitioner',
  'PractitionerRole',
  'Organization',
  'Location',
  // A subscriber who is not a patient of the practice (Coverage.subscriber).
  'RelatedPerson',
  'Encounter',
  // Booked visits, for eligibility ahead of them (issue 15): status, date and _lastUpdated search.
  'Appointment',
  'Condition',
  'ChargeItem',
  'Coverage',
  'CoverageEligibilityRequest',
  'CoverageEligibilityResponse',
  'Claim',
  'ClaimResponse',
  'ExplanationOfBenefit',
  // Payments (835 BPR/TRN, a FHIR payer's ClaimResponse.payment), written beside the claims.
  'PaymentReconciliation',
  'Task',
  // The clinical notes an appeal letter cites, and the groups billing roles may be mapped from.
  'DocumentReference',
  'Group',
  'Observation',
  'Procedure',
  // Referrals (Claim.referral, the referring provider of 837P loop 2310A).
  'ServiceRequest',
  'Provenance',
  'AuditEvent',
  // rest-hook Subscriptions (fhir-subscriptions.ts); absent in profiles whose server has none.
  'Subscription',
] as const;

/** `_include` values the sandbox resolves per type (any `Type:referenceParam` works; these are advertised). */
const INCLUDES: Readonly<Record<string, string[]>> = {
  Encounter: [
    'Encounter:subject',
    'Encounter:patient',
    'Encounter:participant',
    'Encounter:service-provider',
  ],
  ChargeItem: ['ChargeItem:context', 'ChargeItem:subject', 'ChargeItem:patient'],
  Condition: ['Condition:encounter', 'Condition:subject', 'Condition:patient'],
  Coverage: ['Coverage:beneficiary', 'Coverage:payor'],
  Claim: ['Claim:encounter', 'Claim:patient', 'Claim:insurer', 'Claim:provider'],
  ClaimResponse: ['ClaimResponse:request', 'ClaimResponse:patient'],
  Task: ['Task:focus', 'Task:subject'],
};

const REVINCLUDES: Readonly<Record<string, string[]>> = {
  Encounter: ['Condition:encounter', 'ChargeItem:context', 'Claim:encounter'],
  Patient: ['Coverage:beneficiary', 'Encounter:subject'],
  Claim: ['ClaimResponse:request', 'Task:focus'],
};

/** What the profile's server declares for one type: only what it really does (ehr-profiles.ts). */
function restResource(type: string, profile: SandboxEhrProfile): CapabilityStatementRestResource {
  const update = profileAllows(profile, type, 'update');
  const create = profileAllows(profile, type, 'create');
  const interactions = [
    'read',
    'vread',
    ...(update ? ['update', 'patch', 'delete'] : []),
    'history-instance',
    ...(create ? ['create'] : []),
    'search-type',
  ];
  return {
    type: type as CapabilityStatementRestResource['type'],
    interaction: interactions.map((code) => ({ code: code as 'read' })),
    versioning: 'versioned-update',
    readHistory: true,
    updateCreate: update,
    conditionalCreate: create && profile.conditionalCreate,
    conditionalUpdate: update && profile.conditionalUpdate,
    conditionalDelete: 'not-supported',
    searchInclude: profile.include ? (INCLUDES[type] ?? []) : [],
    searchRevInclude: profile.revinclude ? (REVINCLUDES[type] ?? []) : [],
    searchParam: declaredSearchParams(type),
  };
}

/**
 * The server's CapabilityStatement (FHIR R4 capabilitystatement.html) at `/metadata`: what the
 * adapter really does — batch but not transaction, no operations — and, per SMART App Launch
 * 2.2 §2.1, the SMART-on-FHIR security service with the oauth-uris extension.
 */
export function capabilityStatement(
  urls: { fhirBase: string; authorizeUrl: string; tokenUrl: string },
  date: Date,
  profile: SandboxEhrProfile = sandboxEhrProfile('strict'),
): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: date.toISOString(),
    kind: 'instance',
    name: 'ChartBillSandboxEhr',
    title: `ChartBill sandbox EHR (${profile.name})`,
    software: { name: 'ChartBill sandbox EHR (medplum fhir-router, in memory)' },
    implementation: {
      description: 'Sandbox FHIR R4 server for ChartBill development',
      url: urls.fhirBase,
    },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        security: {
          cors: false,
          service: [
            {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/restful-security-service',
                  code: 'SMART-on-FHIR',
                },
              ],
            },
          ],
          extension: [
            {
              url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
              extension: [
                { url: 'authorize', valueUri: urls.authorizeUrl },
                { url: 'token', valueUri: urls.tokenUrl },
              ],
            },
          ],
        },
        resource: ADVERTISED_TYPES.filter((t) => !profile.absentTypes.includes(t)).map((t) =>
          restResource(t, profile),
        ),
        interaction: profile.batch ? [{ code: 'batch' }] : [],
      },
    ],
  };
}
