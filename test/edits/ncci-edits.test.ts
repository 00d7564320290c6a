import { describe, expect, it } from 'vitest';
import { createNcciTables, type PtpEdit } from '../../src/ncci/ncci-tables.ts';
import { sandboxNcciTables } from '../../src/ncci/sandbox-ncci.ts';
import { dx, FACTS, findingsOf, line } from './edit-fixtures.ts';

const edit = (
  column1: string,
  column2: string,
  modifierIndicator: PtpEdit['modifierIndicator'],
  extra: Partial<PtpEdit> = {},
): PtpEdit => ({
  column1,
  column2,
  modifierIndicator,
  priorTo1996: false,
  effective: '2020-01-01',
  rationale: 'Test edit',
  ...extra,
});

const ncci = createNcciTables({
  source: 'test',
  ptp: [
    edit('93000', '93005', '0'),
    edit('20610', '99214', '1'),
    edit('17110', '11102', '1', { rationale: 'Misuse of column two code with column one code' }),
    edit('11104', '11102', '9'),
    edit('20610', '36415', '1', { deleted: '2025-01-01' }),
    edit('93000', '81002', '0', { effective: '2026-07-01' }),
  ],
  mue: [
    { code: '36415', value: 2, mai: 3, rationale: 'CMS Policy' },
    { code: '83036', value: 1, mai: 2, rationale: 'Code Descriptor / CPT Instruction' },
    { code: 'J3301', value: 16, mai: 1, rationale: 'Prescribing Information' },
  ],
});
const ref = { ncci };
const claim = (...lines: ReturnType<typeof line>[]) => ({
  diagnoses: dx('M17.11', 'L82.1'),
  lines,
});

describe('ncci-ptp', () => {
  it('blocks a column 2 code billed with its column 1 code when no modifier may bypass (indicator 0)', () => {
    const [finding] = findingsOf(
      'ncci-ptp',
      claim(line('93000'), line('93005', { modifiers: ['59'] })),
      FACTS,
      undefined,
      ref,
    );
    expect(finding).toMatchObject({ severity: 'error', target: { kind: 'line', index: 1 } });
    expect(finding?.message).toContain('93005 is not paid with 93000');
    expect(finding?.message).toContain('modifier indicator 0');
  });

  it('indicator 1: asks for a bypass modifier, and is satisfied by XS on either line or 25 on the visit', () => {
    const [finding] = findingsOf(
      'ncci-ptp',
      claim(line('17110', { pointers: [2] }), line('11102', { pointers: [2] })),
      FACTS,
      undefined,
      ref,
    );
    expect(finding?.message).toContain('11102 is bundled into 17110');
    expect(finding?.suggestions).toContain('XS');
    expect(
      findingsOf(
        'ncci-ptp',
        claim(line('17110'), line('11102', { modifiers: ['XS'] })),
        FACTS,
        undefined,
        ref,
      ),
    ).toEqual([]);
    const [visit] = findingsOf(
      'ncci-ptp',
      claim(line('20610', { modifiers: ['RT'] }), line('99214')),
      FACTS,
      undefined,
      ref,
    );
    expect(visit).toMatchObject({ suggestions: ['25'] });
    // The PTP error says it; the heuristic em-needs-25 warning does not repeat it.
    expect(
      findingsOf('em-needs-25', claim(line('20610'), line('99214')), FACTS, undefined, ref),
    ).toEqual([]);
    expect(findingsOf('em-needs-25', claim(line('20610'), line('99214')))).toHaveLength(1);
    expect(
      findingsOf(
        'ncci-ptp',
        claim(line('20610'), line('99214', { modifiers: ['25'] })),
        FACTS,
        undefined,
        ref,
      ),
    ).toEqual([]);
    // An anatomic modifier on the procedure says nothing about the visit: only 25 (or 57) does.
    expect(
      findingsOf(
        'ncci-ptp',
        claim(line('20610', { modifiers: ['RT'] }), line('99214', { modifiers: ['XS'] })),
        FACTS,
        undefined,
        ref,
      ),
    ).toHaveLength(1);
  });

  it('respects indicator 9, deletion dates and effective dates', () => {
    expect(
      findingsOf('ncci-ptp', claim(line('11104'), line('11102')), FACTS, undefined, ref),
    ).toEqual([]);
    expect(
      findingsOf('ncci-ptp', claim(line('20610'), line('36415')), FACTS, undefined, ref),
    ).toEqual([]);
    expect(
      findingsOf(
        'ncci-ptp',
        claim(line('20610'), line('36415')),
        { dateOfService: '2024-12-31' },
        undefined,
        ref,
      ),
    ).toHaveLength(1);
    expect(
      findingsOf(
        'ncci-ptp',
        claim(line('93000'), line('81002')),
        { dateOfService: '2026-06-30' },
        undefined,
        ref,
      ),
    ).toEqual([]);
    expect(
      findingsOf(
        'ncci-ptp',
        claim(line('93000'), line('81002')),
        { dateOfService: '2026-07-01' },
        undefined,
        ref,
      ),
    ).toHaveLength(1);
  });

  it('finds nothing without NCCI tables', () => {
    expect(findingsOf('ncci-ptp', claim(line('93000'), line('93005')))).toEqual([]);
  });
});

describe('ncci-mue', () => {
  it('MAI 1 checks each line; more units on another line pass', () => {
    const [finding] = findingsOf(
      'ncci-mue',
      claim(line('J3301', { units: 20 })),
      FACTS,
      undefined,
      ref,
    );
    expect(finding?.message).toContain('J3301 has 20 units on one line; the most allowed is 16');
    expect(
      findingsOf(
        'ncci-mue',
        claim(line('J3301', { units: 16 }), line('J3301', { units: 4, modifiers: ['76'] })),
        FACTS,
        undefined,
        ref,
      ),
    ).toEqual([]);
  });

  it('MAI 2 and 3 add up the units of every line on the date of service', () => {
    const [day] = findingsOf(
      'ncci-mue',
      claim(line('36415', { units: 2 }), line('36415')),
      FACTS,
      undefined,
      ref,
    );
    expect(day).toMatchObject({ severity: 'error', target: { kind: 'line', index: 1 } });
    expect(day?.message).toContain(
      '36415 is billed for 3 units on 2026-03-02; the most allowed for one day is 2',
    );
    expect(day?.fix).toContain('appealed');
    const [policy] = findingsOf(
      'ncci-mue',
      claim(line('83036'), line('83036')),
      FACTS,
      undefined,
      ref,
    );
    expect(policy?.fix).toContain('never paid');
    expect(
      findingsOf('ncci-mue', claim(line('36415'), line('36415')), FACTS, undefined, ref),
    ).toEqual([]);
  });
});

describe('modifier 59 and X{EPSU}', () => {
  it('warns that 59 is not needed when no PTP edit pairs the line with another service', () => {
    const [finding] = findingsOf(
      'modifier-59-not-needed',
      claim(line('99214', { modifiers: ['59'] }), line('36415')),
      FACTS,
      undefined,
      ref,
    );
    expect(finding).toMatchObject({ severity: 'warning', target: { kind: 'line', index: 0 } });
    expect(finding?.message).toContain('Modifier 59 on 99214 is not needed');
  });

  it('accepts 59/XS where an indicator-1 edit applies or the code repeats on another line', () => {
    expect(
      findingsOf(
        'modifier-59-not-needed',
        claim(line('17110'), line('11102', { modifiers: ['XS'] })),
        FACTS,
        undefined,
        ref,
      ),
    ).toEqual([]);
    expect(
      findingsOf(
        'modifier-59-not-needed',
        claim(line('11102'), line('11102', { modifiers: ['59'] })),
        FACTS,
        undefined,
        ref,
      ),
    ).toEqual([]);
    expect(
      findingsOf('modifier-59-not-needed', claim(line('99214', { modifiers: ['59'] }))),
    ).toEqual([]);
  });

  it('warns about 59 together with an X modifier', () => {
    expect(
      findingsOf(
        'modifier-59-with-x',
        claim(line('17110'), line('11102', { modifiers: ['59', 'XS'] })),
        FACTS,
        undefined,
        ref,
      ),
    ).toHaveLength(1);
    expect(
      findingsOf(
        'modifier-59-with-x',
        claim(line('17110'), line('11102', { modifiers: ['XS'] })),
        FACTS,
        undefined,
        ref,
      ),
    ).toEqual([]);
  });
});

describe('sandbox NCCI table', () => {
  it('keeps a clean office visit clean and catches a complete ECG billed with its tracing', () => {
    const sandbox = { ncci: sandboxNcciTables() };
    const clean = {
      diagnoses: dx('E11.9', 'I10'),
      lines: [line('99214', { pointers: [1, 2] }), line('36415'), line('83036')],
    };
    expect(findingsOf('ncci-ptp', clean, FACTS, undefined, sandbox)).toEqual([]);
    expect(findingsOf('ncci-mue', clean, FACTS, undefined, sandbox)).toEqual([]);
    expect(
      findingsOf('ncci-ptp', claim(line('93000'), line('93005')), FACTS, undefined, sandbox),
    ).toHaveLength(1);
  });
});
