import type { Coverage, Encounter, Organization, Patient, Practitioner } from 'fhir/r4';
import type { EncounterCoding } from '../../src/coding/coding-model.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';

/** Small, valid FHIR resources for claim and payer tests. Each call returns fresh objects. */
export function patient(id = 'pat-1'): Patient {
  return { resourceType: 'Patient', id, gender: 'female', birthDate: '1980-04-02' };
}

export function billingOrg(id = 'org-billing'): Organization {
  return {
    resourceType: 'Organization',
    id,
    identifier: [{ system: SYSTEM.npi, value: '1234567893' }],
    name: 'Sandbox Family Practice',
  };
}

export function payerOrg(id = 'org-payer'): Organization {
  return { resourceType: 'Organization', id, name: 'Sandbox Health Plan' };
}

export function practitioner(id = 'prac-1'): Practitioner {
  return {
    resourceType: 'Practitioner',
    id,
    identifier: [{ system: SYSTEM.npi, value: '1245319599' }],
  };
}

export function coverage(overrides: Partial<Coverage> = {}): Coverage {
  return {
    resourceType: 'Coverage',
    id: 'cov-1',
    status: 'active',
    beneficiary: { reference: 'Patient/pat-1' },
    payor: [{ reference: 'Organization/org-payer' }],
    period: { start: '2020-01-01' },
    costToBeneficiary: [
      {
        type: { coding: [{ system: SYSTEM.copayType, code: 'gpvisit' }] },
        valueMoney: { value: 25, currency: 'USD' },
      },
      {
        type: { coding: [{ system: SYSTEM.copayType, code: 'copaypct' }] },
        valueQuantity: { value: 20 },
      },
    ],
    ...overrides,
  };
}

export function encounter(id = 'enc-1', start = '2026-03-02T09:00:00-05:00'): Encounter {
  return {
    resourceType: 'Encounter',
    id,
    status: 'finished',
    class: { system: SYSTEM.actCode, code: 'AMB' },
    subject: { reference: 'Patient/pat-1' },
    period: { start, end: start },
    serviceProvider: { reference: 'Organization/org-billing' },
  };
}

/** An office visit with a venipuncture: two diagnoses, two lines. */
export function officeVisitCoding(): EncounterCoding {
  return {
    diagnoses: [{ code: 'I10', display: 'Essential (primary) hypertension' }, { code: 'E11.9' }],
    lines: [
      { code: '99213', system: 'cpt', units: 1, modifiers: ['25'], pointers: [1, 2] },
      { code: '36415', system: 'cpt', units: 1, modifiers: [], pointers: [2] },
    ],
  };
}
