import type { ClaimResponse } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { carcConcept } from '../../src/claims/carc-codes.ts';
import { claimResponseSummary } from '../../src/claims/claim-response-summary.ts';
import { denialNextStep } from '../../src/claims/denial-next-steps.ts';

describe('denial next steps by group and CARC', () => {
  it('CO-29: proof of timely filing or write-off, never the patient', () => {
    const step = denialNextStep('CO', '29');
    expect(step.text).toMatch(/proof of timely filing.*write the charge off/);
    expect(step.actions).toEqual(['appeal', 'write-off']);
    expect(step.patientMayBeBilled).toBe(false);
    expect(step.text).not.toMatch(/correct and resubmit/i);
  });

  it('CO-96: advance notice check or write-off; PR-96 bills the patient', () => {
    expect(denialNextStep('CO', '96').text).toMatch(/advance notice \(ABN.*write the charge off/);
    expect(denialNextStep('CO', '96').patientMayBeBilled).toBe(false);
    expect(denialNextStep('PR', '96')).toMatchObject({
      actions: ['bill-patient'],
      patientMayBeBilled: true,
    });
  });

  it('CO-27: update coverage or bill the patient', () => {
    expect(denialNextStep('CO', '27').actions).toEqual(['update-coverage', 'bill-patient']);
  });

  it('CO-16 names what the remark code says is missing', () => {
    expect(denialNextStep('CO', '16', 'M76').text).toContain('a diagnosis for the service');
    expect(denialNextStep('CO', '16', 'N290').text).toContain('NPI');
    expect(denialNextStep('CO', '16', 'ZZ9').text).toContain('remark code ZZ9');
    expect(denialNextStep('CO', '16').text).toContain('what the remark code names');
  });

  it('CO-97: bundling, check the modifiers', () => {
    expect(denialNextStep('CO', '97').text).toMatch(/modifiers.*59\/XS/);
  });

  it('falls back to the CO row without a group, and to the group rule for codes not in the table', () => {
    expect(denialNextStep(undefined, '29')).toEqual(denialNextStep('CO', '29'));
    expect(denialNextStep('OA', '29')).toEqual(denialNextStep('CO', '29'));
    expect(denialNextStep('PR', '999').actions).toEqual(['bill-patient']);
    expect(denialNextStep('CO', '999').patientMayBeBilled).toBe(false);
  });

  it('reads the group and remark code from a ClaimResponse, as the status view and the worker do', () => {
    const response = {
      resourceType: 'ClaimResponse',
      outcome: 'error',
      error: [{ code: carcConcept('16', 'CO', 'M76') }],
    } as unknown as ClaimResponse;
    const [denial] = claimResponseSummary(response).denials;
    expect(denial).toMatchObject({ carc: '16', group: 'CO', rarc: 'M76' });
    expect(denialNextStep(denial?.group, denial?.carc ?? '', denial?.rarc).text).toContain(
      'diagnosis',
    );
  });
});
