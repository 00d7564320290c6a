import type { ChargeItem, Coverage, Encounter, Location, Practitioner } from 'fhir/r4';
import { X12Parser } from 'node-x12';
import { describe, expect, it } from 'vitest';
import { buildClaim } from '../../src/claims/build-claim.ts';
import { drugOfChargeItem, type DrugLine } from '../../src/claims/drug-line.ts';
import { PRACTICE_CHARGE_MASTER } from '../../src/claims/fee-schedule.ts';
import { asReplacement, asVoid } from '../../src/claims/replacement-claim.ts';
import { EXT, SYSTEM } from '../../src/fhir/systems.ts';
import type { Claim837Input } from '../../src/x12/claim-837-input.ts';
import { claimsTo837 } from '../../src/x12/claim-to-837.ts';
import { NUCC_SYSTEM } from '../../src/x12/fhir-facts.ts';
import { read837 } from '../../src/x12/read-837.ts';
import { UNIT_SYSTEM, X12_SYSTEM } from '../../src/x12/x12-systems.ts';
import { coverage, encounter } from '../claims/fixtures.ts';
import { chartbillClaimInput, testX12Config } from './x12-fixtures.ts';

const NOW = new Date('2026-03-03T15:04:00Z');
const UUID = '3f2a9c1e-7b4d-4e8a-9c2f-1a2b3c4d5e6f';

const referring: Practitioner = {
  resourceType: 'Practitioner',
  id: 'prac-ref',
  identifier: [{ system: SYSTEM.npi, value: '1497758544' }],
  name: [{ family: 'Nakamura', given: ['Kenji'] }],
};

const clinic: Location = {
  resourceType: 'Location',
  id: 'loc-annex',
  name: 'Riverside Annex',
  identifier: [{ system: SYSTEM.npi, value: '1588667638' }],
  address: { line: ['9 River Rd'], city: 'Springfield', state: 'IL', postalCode: '627031000' },
};

const injection: ChargeItem = {
  resourceType: 'ChargeItem',
  id: 'ci-drug',
  status: 'billable',
  code: { coding: [{ system: SYSTEM.hcpcs, code: 'J1885' }] },
  subject: { reference: 'Patient/pat-1' },
  productCodeableConcept: { coding: [{ system: SYSTEM.ndc, code: '0409-2287-31' }] },
  extension: [
    { url: EXT.ndcQuantity, valueQuantity: { value: 2, system: UNIT_SYSTEM, code: 'ML' } },
  ],
};

/** The claim the worker builds for a visit, with every resource the 837P reads. */
function visit(
  changes: { encounter?: Partial<Encounter>; location?: Location; coverage?: Coverage } = {},
): Claim837Input {
  const base = chartbillClaimInput();
  base.billingProvider.type = [{ coding: [{ system: NUCC_SYSTEM, code: '261QP2300X' }] }];
  const drugs = new Map<string, DrugLine>();
  const drug = drugOfChargeItem(injection);
  if (drug) drugs.set('ci-drug', drug);
  const cov = changes.coverage ?? base.coverage;
  const claim = buildClaim({
    encounter: { ...encounter(UUID, '2026-03-03T04:30:00Z'), ...changes.encounter },
    patient: base.patient,
    coverage: cov,
    coding: {
      diagnoses: [{ code: 'I10' }, { code: 'D64.9' }],
      lines: [
        { code: '99213', system: 'cpt', units: 1, modifiers: ['25'], pointers: [1] },
        {
          code: 'J1885',
          system: 'hcpcs',
          units: 4,
          modifiers: [],
          pointers: [2],
          chargeItemId: 'ci-drug',
        },
      ],
    },
    billingProvider: base.billingProvider,
    practitioner: base.practitioners?.[0],
    referring,
    ...(changes.location ? { location: changes.location } : {}),
    priorAuthorizations: ['PA-5521'],
    drugs,
    timeZone: 'America/New_York',
    feeSchedule: PRACTICE_CHARGE_MASTER,
    status: 'active',
    created: '2026-03-03T10:00:00Z',
  });
  return {
    ...base,
    claim,
    coverage: cov,
    practitioners: [...(base.practitioners ?? []), referring],
    ...(changes.location ? { location: changes.location } : {}),
  };
}

/** The 837P's segments as node-x12 (an independent parser, strict mode) reads them. */
function segmentsOf(text: string): string[] {
  const parsed = new X12Parser(true).parse(text);
  if (!('functionalGroups' in parsed) || Array.isArray(parsed))
    throw new Error('not one interchange');
  return parsed.functionalGroups[0]?.transactions[0]?.segments.map((s) => s.toString()) ?? [];
}

describe('what the FHIR Claim carries reaches the 837P', () => {
  it('writes PRV*BI, ZIP+4, the local date of service, a short control number, referral, prior auth and the NDC', async () => {
    const input = visit();
    const text = claimsTo837([input], testX12Config(), 7, NOW);
    const segments = segmentsOf(text);
    const pcn = input.claim.identifier?.find(
      (i) => i.system === SYSTEM.patientControlNumber,
    )?.value;
    expect(pcn).toMatch(/^CB[0-9A-Z]{18}$/);
    expect(segments).toEqual(
      expect.arrayContaining([
        'PRV*BI*PXC*261QP2300X~',
        'N4*SPRINGFIELD*IL*627041234~',
        `CLM*${pcn}*${String(input.claim.total?.value)}***11:B:1*Y*A*Y*Y~`,
        'REF*G1*PA-5521~',
        'NM1*DN*1*NAKAMURA*KENJI****XX*1497758544~',
        // 23:30 in New York on March 2nd, stored by the EHR as 04:30Z on the 3rd.
        'DTP*472*D8*20260302~',
        'LIN**N4*00409228731~',
        'CTP****2*ML~',
      ]),
    );
    // The order the TR3 sets: 2310A before 2310B; 2410 after the line's REF*6R.
    const at = (s: string) => segments.findIndex((x) => x.startsWith(s));
    expect(at('NM1*DN')).toBeLessThan(at('NM1*82'));
    expect(at('LIN')).toBe(segments.lastIndexOf('REF*6R*2~') + 1);
    const [read] = await read837(text);
    expect(read?.input.claim.careTeam?.map((c) => c.role?.coding?.[0]?.code)).toEqual([
      'referring',
      'primary',
    ]);
    expect(read?.input.billingProvider.type?.[0]?.coding?.[0]?.code).toBe('261QP2300X');
    expect(read?.input.claim.item?.[1]?.detail?.[0]).toMatchObject({
      productOrService: { coding: [{ system: SYSTEM.ndc, code: '00409228731' }] },
      quantity: { value: 2, code: 'ML' },
    });
    expect(read?.input.claim.item?.map((i) => i.servicedDate)).toEqual([
      '2026-03-02',
      '2026-03-02',
    ]);
  });

  it('keeps the patient control number within 20 characters, stable across reruns and its own for a replacement', () => {
    const first = visit().claim;
    const again = visit().claim;
    const number = (c: typeof first) =>
      c.identifier?.find((i) => i.system === SYSTEM.patientControlNumber)?.value ?? '';
    expect(number(first).length).toBeLessThanOrEqual(20);
    expect(number(again)).toBe(number(first));
    // The link to the encounter stays: the claim identifier is still enc-<id>.
    expect(first.identifier?.[0]?.value).toBe(`enc-${UUID}`);
    const replacement = asReplacement(first, {
      claim: 'Claim/1',
      encounterId: UUID,
      sequence: 1,
      payerClaimNumber: { value: 'PAYER-77' },
    });
    expect(number(replacement)).not.toBe(number(first));
    expect(number(replacement).length).toBeLessThanOrEqual(20);
    // A short encounter id stays readable on the ERA.
    const short = chartbillClaimInput().claim;
    expect(number(short)).toBe('enc-enc-1');
  });

  it('sends frequency 1 on an original, 7 on a replacement and 8 on a void, each with REF*F8 when it refers back', () => {
    const original = visit();
    const of = {
      claim: 'Claim/1',
      encounterId: UUID,
      sequence: 1,
      payerClaimNumber: { value: 'PAYER-77' },
    };
    const texts = [
      original,
      { ...original, claim: asReplacement(original.claim, of) },
      { ...original, claim: asVoid(original.claim, of) },
    ].map((input) => segmentsOf(claimsTo837([input], testX12Config(), 1, NOW)));
    expect(texts.map((s) => s.find((x) => x.startsWith('CLM'))?.split('*')[5])).toEqual([
      '11:B:1',
      '11:B:7',
      '11:B:8',
    ]);
    expect(texts.map((s) => s.includes('REF*F8*PAYER-77~'))).toEqual([false, true, true]);
  });

  it('takes the place of service from the encounter: telehealth at home 10, elsewhere 02, inpatient 21, outpatient hospital 22', () => {
    const home: Location = {
      resourceType: 'Location',
      id: 'home',
      type: [{ coding: [{ system: SYSTEM.roleCode, code: 'PTRES' }] }],
    };
    const hospital: Location = {
      ...clinic,
      id: 'hosp',
      type: [{ coding: [{ system: SYSTEM.roleCode, code: 'HOSP' }] }],
    };
    const cases: [Partial<Encounter>, Location | undefined, string][] = [
      [{ class: { system: SYSTEM.actCode, code: 'VR' } }, home, '10'],
      [{ class: { system: SYSTEM.actCode, code: 'VR' } }, undefined, '02'],
      [{ class: { system: SYSTEM.actCode, code: 'IMP' } }, hospital, '21'],
      [{ class: { system: SYSTEM.actCode, code: 'AMB' } }, hospital, '22'],
      [{ class: { system: SYSTEM.actCode, code: 'AMB' } }, undefined, '11'],
    ];
    for (const [enc, location, pos] of cases) {
      const input = visit({ encounter: enc, ...(location ? { location } : {}) });
      const clm = segmentsOf(claimsTo837([input], testX12Config(), 1, NOW)).find((s) =>
        s.startsWith('CLM'),
      );
      expect(
        clm?.split('*')[5],
        `${enc.class?.code ?? ''} at ${location?.id ?? 'no location'}`,
      ).toBe(`${pos}:B:1`);
    }
  });

  it('names a service facility away from the billing address (Claim.facility, 2310C) and none at it', () => {
    const away = visit({ location: clinic });
    expect(away.claim.facility).toEqual({ reference: 'Location/loc-annex' });
    expect(segmentsOf(claimsTo837([away], testX12Config(), 1, NOW))).toEqual(
      expect.arrayContaining([
        'NM1*77*2*RIVERSIDE ANNEX*****XX*1588667638~',
        'N3*9 RIVER RD~',
        'N4*SPRINGFIELD*IL*627031000~',
      ]),
    );
    const atHome = visit({
      location: {
        ...clinic,
        address: { ...clinic.address, line: ['400 Main St'], postalCode: '62704' },
      },
    });
    expect(atHome.claim.facility).toBeUndefined();
    expect(claimsTo837([atHome], testX12Config(), 1, NOW)).not.toContain('NM1*77');
  });

  it('takes SBR09 from the payer setting, else the Coverage type, else the default', () => {
    const hmo = coverage({
      subscriberId: 'W123456789',
      type: { coding: [{ system: SYSTEM.actCode, code: 'HMO' }] },
    });
    const medicaid = coverage({
      subscriberId: 'W123456789',
      type: { coding: [{ system: X12_SYSTEM.claimFilingIndicator, code: 'MC' }] },
    });
    const sbr09 = (cov: Coverage, extra: Record<string, string> = {}) =>
      segmentsOf(claimsTo837([visit({ coverage: cov })], testX12Config(extra), 1, NOW))
        .find((s) => s.startsWith('SBR'))
        ?.replace(/~$/, '')
        .split('*')[9];
    expect(sbr09(hmo)).toBe('HM');
    expect(sbr09(medicaid)).toBe('MC');
    expect(sbr09(coverage({ subscriberId: 'W1' }))).toBe('CI');
    expect(sbr09(hmo, { CHARTBILL_X12_FILING_INDICATORS: 'SBXHP=MB' })).toBe('MB');
  });

  it('writes the subscriber in 2010BA and the patient in 2000C when the patient is a dependent', async () => {
    const input = visit({
      coverage: coverage({
        subscriberId: 'W123456789',
        subscriber: { reference: 'RelatedPerson/rp-1' },
        relationship: { coding: [{ system: SYSTEM.subscriberRelationship, code: 'child' }] },
      }),
    });
    input.subscriber = {
      resourceType: 'RelatedPerson',
      id: 'rp-1',
      patient: { reference: 'Patient/pat-1' },
      name: [{ family: 'Rivera', given: ['Luis'] }],
    };
    const text = claimsTo837([input], testX12Config(), 1, NOW);
    expect(segmentsOf(text)).toEqual(
      expect.arrayContaining(['HL*3*2*23*0~', 'PAT*19~', 'NM1*IL*1*RIVERA*LUIS****MI*W123456789~']),
    );
    const [read] = await read837(text);
    expect(read?.input.coverage.relationship?.coding?.[0]?.code).toBe('child');
    expect(read?.input.subscriber?.name?.[0]?.given?.[0]).toBe('LUIS');
  });
});
