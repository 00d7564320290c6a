import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors/app-error.ts';
import { build270 } from '../../src/x12/build-270.ts';
import { build276 } from '../../src/x12/build-276.ts';
import { describeX12 } from '../../src/x12/describe-x12.ts';
import { eligibilityToFhir } from '../../src/x12/eligibility-to-fhir.ts';
import { statusTimelineEvent } from '../../src/x12/read-277.ts';
import { detectTransactionSet, readX12 } from '../../src/x12/read-x12.ts';
import { envelope, serialize, type OutSegment } from '../../src/x12/x12-writer.ts';
import { chartbillClaimInput, testX12Config } from './x12-fixtures.ts';

const NOW = new Date('2026-03-04T08:30:00Z');
/** The clearinghouse's side of the envelope. */
const theirs = testX12Config({
  CHARTBILL_X12_SENDER_ID: 'CLEARHOUSE',
  CHARTBILL_X12_RECEIVER_ID: 'CHARTBILL01',
});
const file = (set: string, functionalId: string, version: string, body: OutSegment[][]) =>
  serialize(envelope(theirs, { set, functionalId, version }, body, 901, NOW));

async function read(text: string) {
  return readX12(text, await detectTransactionSet(text));
}

describe('999 acknowledgments', () => {
  it('says which claim (transaction set) was rejected and why, segment and element', async () => {
    const text = file('999', 'FA', '005010X231A1', [
      [
        ['AK1', 'HC', '42', '005010X222A1'],
        ['AK2', '837', '0001', '005010X222A1'],
        ['IK5', 'A'],
        ['AK2', '837', '0002', '005010X222A1'],
        ['IK3', 'NM1', '9', '2010AA', '8'],
        ['IK4', '9', '67', '7', '12345'],
        ['IK5', 'R', '5'],
        ['AK9', 'P', '2', '2', '1'],
      ],
    ]);
    const doc = await read(text);
    if (doc.kind !== 'ack') throw new Error(doc.kind);
    const [ack] = doc.acks;
    expect(ack?.transactions.map((t) => [t.control, t.accepted])).toEqual([
      ['0001', true],
      ['0002', false],
    ]);
    expect(ack?.rejection).toBeUndefined();
    const words = describeX12(doc);
    expect(words).toContain('999 for group 42 (HC 005010X222A1): partially accepted');
    expect(words).toContain('837 0002: rejected (one or more segments in error');
    expect(words).toContain(
      'NM1 at segment 9 of the set, loop 2010AA: the segment has data element errors',
    );
    expect(words).toContain("element 9 (67): invalid code value — '12345'");
  });

  it('refuses the whole batch with a reason naming the AK9 and its position', async () => {
    const text = file('999', 'FA', '005010X231A1', [
      [
        ['AK1', 'HC', '42', '005010X222A1'],
        ['AK9', 'R', '3', '3', '0', '5'],
      ],
    ]);
    const doc = await read(text);
    if (doc.kind !== 'ack') throw new Error(doc.kind);
    expect(doc.acks[0]?.rejection).toMatch(
      /rejected the whole batch \(group 42, 3 transaction sets\): rejected; one or more segments in error .*\(segment 5 \(AK9\) at character \d+\)/,
    );
  });

  it('reads a TA1', async () => {
    const isa = file('999', 'FA', '005010X231A1', [
      [
        ['AK1', 'HC', '1', '005010X222A1'],
        ['AK9', 'A', '1', '1', '1'],
      ],
    ]).split('\n');
    const text = [isa[0], 'TA1*000000042*260304*0830*R*025~', ...isa.slice(1)].join('\n');
    const doc = await read(text);
    if (doc.kind !== 'ack') throw new Error(doc.kind);
    expect(describeX12(doc)).toContain(
      'Interchange 000000042: rejected (TA1 R, note 025: the interchange control number was used before (duplicate))',
    );
  });
});

describe('277CA and 277 claim status', () => {
  const patientLevel = (stc: string[]): OutSegment[] => [
    ['BHT', '0085', '08', 'T1', '20260304', '0830', 'TH'],
    ['HL', '1', '', '20', '1'],
    ['NM1', 'AY', '2', 'SANDBOX CLEARINGHOUSE', '', '', '', '', '46', 'CLEARHOUSE'],
    ['HL', '2', '1', '21', '1'],
    ['NM1', '41', '2', 'RIVERSIDE', '', '', '', '', '46', 'CHARTBILL01'],
    ['HL', '3', '2', '19', '1'],
    ['NM1', '85', '2', 'SANDBOX FAMILY PRACTICE', '', '', '', '', 'XX', '1234567893'],
    ['HL', '4', '3', 'PT'],
    ['NM1', 'QC', '1', 'RIVERA', 'ANA', '', '', '', 'MI', 'W123456789'],
    ['TRN', '2', 'enc-enc-1'],
    ['STC', ...stc],
    ['REF', '1K', 'PCN-2026-0042'],
    ['DTP', '472', 'D8', '20260302'],
  ];

  it('shows acceptance as "accepted by clearinghouse" on the timeline', async () => {
    const doc = await read(
      file('277', 'HN', '005010X214', [patientLevel(['A2:20:PR', '20260304', 'WQ', '195'])]),
    );
    if (doc.kind !== 'status') throw new Error(doc.kind);
    const report = doc.reports[0];
    if (!report) throw new Error('no report');
    expect(report.kind).toBe('277CA');
    const claim = report.claims[0];
    expect(claim).toMatchObject({
      patientControlNumber: 'enc-enc-1',
      payerClaimNumber: 'PCN-2026-0042',
    });
    if (!claim) throw new Error('no claim');
    expect(statusTimelineEvent(claim, report.source)).toMatchObject({
      label: 'accepted by clearinghouse',
      date: '2026-03-04',
      stage: 'acknowledged',
    });
  });

  it('gives a rejection its STC codes in words', async () => {
    const doc = await read(
      file('277', 'HN', '005010X214', [
        patientLevel(['A7:562:85', '20260304', 'U', '195', '', '', '', '', '', 'A7:164:IL']),
      ]),
    );
    if (doc.kind !== 'status') throw new Error(doc.kind);
    const report = doc.reports[0];
    if (!report) throw new Error('no report');
    const claim = report.claims[0];
    if (!claim) throw new Error('no claim');
    const event = statusTimelineEvent(claim, report.source);
    expect(event.label).toBe('rejected by clearinghouse');
    expect(event.detail).toBe(
      "A7:562:85 rejected for invalid information: the entity's National Provider Identifier (NPI) (billing provider); " +
        "A7:164:IL rejected for invalid information: the entity's contract or member number (subscriber)",
    );
  });

  it("reads a 277 answer to ChartBill's 276 into a timeline event", async () => {
    const input = chartbillClaimInput();
    const inquiry = build276(input, 'T-276-1', testX12Config(), 5, NOW);
    expect(inquiry).toContain('REF*EJ*enc-enc-1~');
    expect(inquiry).toContain('ST*276*0001*005010X212~');
    const answer = file('277', 'HN', '005010X212', [
      [
        ['BHT', '0010', '08', 'T-276-1', '20260304', '0830', 'DG'],
        ['HL', '1', '', '20', '1'],
        ['NM1', 'PR', '2', 'SANDBOX HEALTH PLAN', '', '', '', '', 'PI', 'SBXHP'],
        ['HL', '2', '1', '21', '1'],
        ['NM1', '41', '2', 'RIVERSIDE', '', '', '', '', '46', 'CHARTBILL01'],
        ['HL', '3', '2', '19', '1'],
        ['NM1', '1P', '2', 'SANDBOX FAMILY PRACTICE', '', '', '', '', 'XX', '1234567893'],
        ['HL', '4', '3', '22', '0'],
        ['NM1', 'IL', '1', 'RIVERA', 'ANA', '', '', '', 'MI', 'W123456789'],
        ['TRN', '2', 'T-276-1'],
        ['STC', 'F1:65', '20260310', '', '195', '150'],
        ['REF', '1K', 'PCN-2026-0042'],
        ['REF', 'EJ', 'enc-enc-1'],
      ],
    ]);
    const doc = await read(answer);
    if (doc.kind !== 'status') throw new Error(doc.kind);
    const report = doc.reports[0];
    if (!report) throw new Error('no report');
    const claim = report.claims[0];
    if (!claim) throw new Error('no claim');
    expect(claim).toMatchObject({ patientControlNumber: 'enc-enc-1', trace: 'T-276-1' });
    expect(claim.statuses[0]).toMatchObject({ charge: 195, paid: 150 });
    expect(statusTimelineEvent(claim, report.source)).toMatchObject({
      label: 'paid',
      date: '2026-03-10',
    });
  });
});

describe('270/271 eligibility', () => {
  const subscriber: OutSegment[] = [
    ['BHT', '0022', '11', 'E-1', '20260304', '0830'],
    ['HL', '1', '', '20', '1'],
    ['NM1', 'PR', '2', 'SANDBOX HEALTH PLAN', '', '', '', '', 'PI', 'SBXHP'],
    ['HL', '2', '1', '21', '1'],
    ['NM1', '1P', '2', 'SANDBOX FAMILY PRACTICE', '', '', '', '', 'XX', '1234567893'],
    ['HL', '3', '2', '22', '0'],
    ['TRN', '2', 'E-1', '9CHARTBILL'],
    ['NM1', 'IL', '1', 'RIVERA', 'ANA', '', '', '', 'MI', 'W123456789'],
    ['DMG', 'D8', '19800402', 'F'],
    ['DTP', '346', 'D8', '20260101'],
    ['DTP', '347', 'D8', '20261231'],
  ];

  it('asks with the Coverage, the date and the service types', () => {
    const input = chartbillClaimInput();
    const text = build270(
      {
        ...input,
        provider: input.billingProvider,
        serviceTypes: ['30', '98'],
        date: '2026-03-02',
        trace: 'E-1',
      },
      testX12Config(),
      6,
      NOW,
    );
    expect(text).toContain(
      'NM1*IL*1*RIVERA*ANA*MARIA***MI*W123456789~\nDMG*D8*19800402*F~\nDTP*291*D8*20260302~\nEQ*30^98~',
    );
  });

  it('maps EB segments onto a CoverageEligibilityResponse per service type and network', async () => {
    const doc = await read(
      file('271', 'HB', '005010X279A1', [
        [
          ...subscriber,
          ['EB', '1', 'IND', '30', 'PR', 'GOLD PPO'],
          ['EB', 'B', 'IND', '98', '', '', '27', '25', '', '', '', '', 'Y'],
          ['EB', 'A', 'IND', '98', '', '', '27', '', '0.2', '', '', '', 'Y'],
          ['EB', 'C', 'IND', '30', '', '', '23', '1500', '', '', '', '', 'Y'],
          ['EB', 'C', 'IND', '30', '', '', '29', '1200', '', '', '', '', 'Y'],
          ['EB', 'C', 'FAM', '30', '', '', '23', '3000', '', '', '', '', 'Y'],
          ['EB', 'G', 'IND', '30', '', '', '29', '4100', '', '', '', '', 'N'],
        ],
      ]),
    );
    if (doc.kind !== 'eligibility') throw new Error(doc.kind);
    const [answer] = doc.answers;
    if (!answer) throw new Error('no answer');
    const response = eligibilityToFhir(answer, {
      patient: { reference: 'Patient/pat-1' },
      created: '2026-03-04T08:30:00Z',
    });
    const insurance = response.insurance?.[0];
    expect(insurance?.inforce).toBe(true);
    expect(insurance?.benefitPeriod).toEqual({ start: '2026-01-01', end: '2026-12-31' });
    const key = (i: NonNullable<typeof insurance>['item']) =>
      (i ?? []).map((it) => [
        it.category?.coding?.[0]?.code,
        it.network?.coding?.[0]?.code,
        it.unit?.coding?.[0]?.code,
        it.benefit?.map((b) => [b.type.text, b.allowedMoney?.value ?? b.allowedUnsignedInt]),
      ]);
    expect(key(insurance?.item)).toEqual([
      [
        '98',
        'in',
        'individual',
        [
          ['copay per visit (individual)', 25],
          ['coinsurance per visit (individual)', 20],
        ],
      ],
      [
        '30',
        'in',
        'individual',
        [
          ['deductible per calendar year (individual)', 1500],
          ['deductible remaining (individual)', 1200],
        ],
      ],
      ['30', 'in', 'family', [['deductible per calendar year (family)', 3000]]],
      ['30', 'out', 'individual', [['out-of-pocket (stop loss) remaining (individual)', 4100]]],
    ]);
    expect(insurance?.item?.[0]?.category?.coding?.[0]?.system).toBe(
      'https://x12.org/codes/service-type-codes',
    );
  });

  it("asks about a dependent in loop 2000D under the subscriber's member id (X279A1)", () => {
    const input = chartbillClaimInput();
    const text = build270(
      {
        ...input,
        coverage: {
          ...input.coverage,
          subscriber: { reference: 'RelatedPerson/rp-1' },
          relationship: {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship',
                code: 'child',
              },
            ],
          },
        },
        patient: {
          ...input.patient,
          name: [{ family: 'Rivera', given: ['Leo'] }],
          birthDate: '2017-06-09',
          gender: 'male',
        },
        subscriber: {
          resourceType: 'RelatedPerson',
          id: 'rp-1',
          patient: { reference: 'Patient/pat-1' },
          name: [{ family: 'Rivera', given: ['Ana', 'Maria'] }],
          birthDate: '1980-04-02',
          gender: 'female',
        },
        provider: input.billingProvider,
        serviceTypes: ['30', '98'],
        date: '2026-03-02',
        trace: 'E-2',
      },
      testX12Config(),
      7,
      NOW,
    );
    const segments = text.split('~\n');
    const from = segments.findIndex((s) => s.startsWith('HL*3*'));
    const to = segments.findIndex((s) => s.startsWith('SE*'));
    // 2000C: the subscriber has a child level; 2100C names them under the member id, no EQ.
    // 2000D/2100D/2110D: the dependent's trace, name (no id of their own), birth date, the date
    // of service and the question.
    expect(segments.slice(from, to)).toEqual([
      'HL*3*2*22*1',
      'NM1*IL*1*RIVERA*ANA*MARIA***MI*W123456789',
      'DMG*D8*19800402*F',
      'HL*4*3*23*0',
      expect.stringMatching(/^TRN\*1\*E-2\*9\w{9}$/),
      'NM1*03*1*RIVERA*LEO',
      'DMG*D8*20170609*M',
      'DTP*291*D8*20260302',
      'EQ*30^98',
    ]);
    // SE01 counts ST through SE (ISA and GS come before ST).
    expect(segments[to]).toBe(`SE*${String(to - 1)}*0001`);
  });

  it('refuses a 270 for a dependent whose subscriber it was not given, naming loop 2100C', () => {
    const input = chartbillClaimInput();
    const ask = () =>
      build270(
        {
          ...input,
          coverage: {
            ...input.coverage,
            relationship: {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship',
                  code: 'child',
                },
              ],
            },
          },
          provider: input.billingProvider,
          serviceTypes: ['30'],
          date: '2026-03-02',
          trace: 'E-3',
        },
        testX12Config(),
        8,
        NOW,
      );
    expect(ask).toThrow(/Coverage\.subscriber.*270 2100C/);
  });

  it("reads a dependent's benefits from loop 2110D, under the subscriber's member id", async () => {
    const doc = await read(
      file('271', 'HB', '005010X279A1', [
        [
          ...subscriber.slice(0, 5),
          ['HL', '3', '2', '22', '1'],
          ['NM1', 'IL', '1', 'RIVERA', 'ANA', '', '', '', 'MI', 'W123456789'],
          ['HL', '4', '3', '23', '0'],
          ['TRN', '2', 'E-2', '9CHARTBILL'],
          ['NM1', '03', '1', 'RIVERA', 'LEO'],
          ['DMG', 'D8', '20170609', 'M'],
          ['DTP', '346', 'D8', '20260101'],
          ['EB', '1', 'IND', '30', 'PR', 'GOLD PPO'],
          ['EB', 'B', 'IND', '98', '', '', '27', '25', '', '', '', '', 'Y'],
        ],
      ]),
    );
    if (doc.kind !== 'eligibility') throw new Error(doc.kind);
    expect(doc.answers).toHaveLength(1);
    const [answer] = doc.answers;
    expect(answer?.trace).toBe('E-2');
    expect(answer?.subscriber).toMatchObject({ lastName: 'RIVERA', memberId: 'W123456789' });
    expect(answer?.dependent).toEqual({
      lastName: 'RIVERA',
      firstName: 'LEO',
      birthDate: '2017-06-09',
    });
    if (!answer) throw new Error('no answer');
    const response = eligibilityToFhir(answer, {
      patient: { reference: 'Patient/pat-2' },
      created: '2026-03-04T08:30:00Z',
    });
    expect(response.insurance?.[0]?.inforce).toBe(true);
    expect(response.insurance?.[0]?.item?.[0]?.benefit?.[0]?.allowedMoney?.value).toBe(25);
    expect(describeX12(doc)).toMatch(/for LEO RIVERA, dependent of ANA RIVERA \(W123456789\)/);
  });

  it('says an AAA rejection in words', async () => {
    const doc = await read(
      file('271', 'HB', '005010X279A1', [[...subscriber.slice(0, 8), ['AAA', 'N', '', '75', 'C']]]),
    );
    if (doc.kind !== 'eligibility') throw new Error(doc.kind);
    const [answer] = doc.answers;
    if (!answer) throw new Error('no answer');
    const response = eligibilityToFhir(answer, {
      patient: { reference: 'Patient/pat-1' },
      created: '2026-03-04T08:30:00Z',
    });
    expect(response.outcome).toBe('error');
    expect(response.disposition).toBe('AAA 75: subscriber not found (correct and resubmit)');
    expect(describeX12(doc)).toMatch(
      /REJECTED: subscriber not found \(AAA 75; correct and resubmit; subscriber level, segment 12 \(AAA\)/,
    );
  });
});

describe('an unknown transaction set', () => {
  it('is refused, naming the ST', async () => {
    const text = file('850', 'PO', '005010', [[['BEG', '00', 'SA', 'PO1']]]);
    const err = await detectTransactionSet(text).catch((e: unknown) => e);
    expect(isAppError(err, 'X12_INVALID')).toBe(true);
    expect((err as Error).message).toMatch(
      /Unknown transaction set '850' in ST01: ChartBill reads TA1, 999, 277, 271, 835, 837 \(segment 3 \(ST\) at character \d+\)/,
    );
  });
});
