import { describe, expect, it } from 'vitest';
import { recordHomes } from '../../src/fhir/record-homes.ts';
import {
  declaresConditionalCreate,
  declaresRevInclude,
  parseServerCapabilities,
} from '../../src/fhir/server-capabilities.ts';

const ALL = ['read', 'search-type', 'create', 'update'].map((code) => ({ code }));
const statement = (resource: unknown[], interaction: unknown[] = []) => ({
  resourceType: 'CapabilityStatement',
  fhirVersion: '4.0.1',
  rest: [{ mode: 'server', interaction, resource }],
});
const FINANCIAL = [
  'Claim',
  'ClaimResponse',
  'CoverageEligibilityRequest',
  'CoverageEligibilityResponse',
  'Task',
];

describe('what a server declares', () => {
  it('counts only what is declared: a wildcard revinclude, conditional create only with create', () => {
    const caps = parseServerCapabilities(
      statement([
        { type: 'Encounter', interaction: ALL, searchRevInclude: ['*'] },
        { type: 'Claim', interaction: [{ code: 'read' }], conditionalCreate: true },
      ]),
    );
    expect(declaresRevInclude(caps, 'Encounter', 'ChargeItem:context')).toBe(true);
    expect(declaresRevInclude(caps, 'Patient', 'Encounter:subject')).toBe(false);
    expect(declaresConditionalCreate(caps, 'Claim')).toBe(false);
    expect(caps.batch).toBe(false);
  });

  it('refuses a document that is not a CapabilityStatement, saying what is wrong', () => {
    expect(() => parseServerCapabilities({ resourceType: 'Bundle' })).toThrow(
      /not a FHIR CapabilityStatement: resourceType/,
    );
  });

  it('keeps the coding and claims in the billing store on an Epic-like server, and says why', () => {
    const caps = parseServerCapabilities(
      statement([
        { type: 'Condition', interaction: ALL },
        ...FINANCIAL.map((type) => ({ type, interaction: [{ code: 'read' }] })),
      ]),
    );
    const homes = recordHomes(caps, { ledgerUrl: 'postgres://127.0.0.1/test' });
    expect(homes).toMatchObject({
      coding: 'billing-store',
      claims: 'billing-store',
      billingStore: 'postgresql',
    });
    expect(homes.reasons[0]).toContain('ChargeItem search-type, ChargeItem create');
    const withBilling = recordHomes(caps, {
      billingFhirBaseUrl: 'https://billing.example.org/fhir',
    });
    expect(withBilling.claims).toBe('billing-fhir');
    // The admin reads that the work queue (Task) is there too.
    expect(withBilling.reasons[1]).toMatch(/work Tasks .*Task\).*billing\.example\.org/);
  });

  it('keeps everything in an EHR that declares every write', () => {
    const caps = parseServerCapabilities(
      statement(
        ['Condition', 'ChargeItem', ...FINANCIAL].map((type) => ({ type, interaction: ALL })),
      ),
    );
    expect(recordHomes(caps, {})).toMatchObject({
      coding: 'ehr',
      claims: 'ehr',
      billingStore: 'file',
    });
  });
});
