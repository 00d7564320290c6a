import { describe, expect, it } from 'vitest';
import { idOfReference } from '../../src/fhir/reference-id.ts';

describe('the id in a reference', () => {
  it('reads relative, absolute and versioned references to the type asked for, and nothing else', () => {
    for (let pass = 0; pass < 2; pass++) {
      expect(idOfReference('Patient/p-1', 'Patient')).toBe('p-1');
      expect(idOfReference('https://ehr.example/fhir/Patient/p-1', 'Patient')).toBe('p-1');
      expect(idOfReference('Patient/p-1/_history/3', 'Patient')).toBe('p-1');
      expect(idOfReference('Organization/o-1', 'Patient')).toBeUndefined();
      expect(idOfReference('RelatedPatient/p-1', 'Patient')).toBeUndefined();
      expect(idOfReference('Patient/', 'Patient')).toBeUndefined();
      expect(idOfReference(undefined, 'Patient')).toBeUndefined();
      expect(idOfReference('Organization/o-1', 'Organization')).toBe('o-1');
    }
  });
});
