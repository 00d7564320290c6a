import { describe, expect, it } from 'vitest';
import { cleanCoding, dx, FACTS, findingsOf, line } from './edit-fixtures.ts';

describe('service line edits', () => {
  it('svc-unknown: reports a service code not in the code set', () => {
    const [finding] = findingsOf('svc-unknown', { diagnoses: dx('I10'), lines: [line('99299')] });
    expect(finding).toMatchObject({ severity: 'error', target: { kind: 'line', index: 0 } });
    expect(finding?.message).toContain('99299 is not a CPT code');
    expect(findingsOf('svc-unknown', cleanCoding())).toEqual([]);
  });

  it('svc-not-valid-on-date: reports a HCPCS code billed after CMS ended it', () => {
    const coding = { diagnoses: dx('M17.11'), lines: [line('J1040')] };
    const [finding] = findingsOf('svc-not-valid-on-date', coding);
    expect(finding?.message).toContain('2024-03-31');
    expect(findingsOf('svc-not-valid-on-date', coding, { dateOfService: '2024-03-31' })).toEqual(
      [],
    );
  });

  it('line-units: blocks zero or fractional units', () => {
    expect(
      findingsOf('line-units', { diagnoses: dx('I10'), lines: [line('99213', { units: 0 })] }),
    ).toHaveLength(1);
    expect(
      findingsOf('line-units', { diagnoses: dx('I10'), lines: [line('J3301', { units: 1.5 })] }),
    ).toHaveLength(1);
    expect(
      findingsOf('line-units', { diagnoses: dx('I10'), lines: [line('J3301', { units: 4 })] }),
    ).toEqual([]);
  });

  it('line-max-modifiers: blocks a fifth modifier', () => {
    const five = {
      diagnoses: dx('M17.11'),
      lines: [line('20610', { modifiers: ['RT', '59', 'XS', '76', '77'] })],
    };
    expect(findingsOf('line-max-modifiers', five)).toMatchObject([{ severity: 'error' }]);
    const four = {
      diagnoses: dx('M17.11'),
      lines: [line('20610', { modifiers: ['RT', '59', 'XS', '76'] })],
    };
    expect(findingsOf('line-max-modifiers', four)).toEqual([]);
  });

  it('modifier-unknown: reports a modifier the code set does not know', () => {
    const [finding] = findingsOf('modifier-unknown', {
      diagnoses: dx('I10'),
      lines: [line('99213', { modifiers: ['ZZ'] })],
    });
    expect(finding?.message).toContain('ZZ on 99213');
    expect(
      findingsOf('modifier-unknown', {
        diagnoses: dx('I10'),
        lines: [line('99213', { modifiers: ['95'] })],
      }),
    ).toEqual([]);
  });

  it('modifier-duplicate: warns about a modifier repeated on a line', () => {
    expect(
      findingsOf('modifier-duplicate', {
        diagnoses: dx('M17.11'),
        lines: [line('20610', { modifiers: ['RT', 'rt'] })],
      }),
    ).toMatchObject([{ severity: 'warning' }]);
    expect(
      findingsOf('modifier-duplicate', {
        diagnoses: dx('M17.11'),
        lines: [line('20610', { modifiers: ['RT'] })],
      }),
    ).toEqual([]);
  });

  it('line-no-pointer: blocks a line linked to no diagnosis and offers the primary one', () => {
    const [finding] = findingsOf('line-no-pointer', {
      diagnoses: dx('J02.0'),
      lines: [line('87880', { pointers: [] })],
    });
    expect(finding).toMatchObject({ severity: 'error', suggestions: ['J02.0'] });
    expect(findingsOf('line-no-pointer', cleanCoding())).toEqual([]);
  });

  it('line-max-pointers: blocks a fifth diagnosis pointer', () => {
    const diagnoses = dx('I10', 'E11.9', 'E78.5', 'K21.9', 'F41.1');
    expect(
      findingsOf('line-max-pointers', {
        diagnoses,
        lines: [line('99214', { pointers: [1, 2, 3, 4, 5] })],
      }),
    ).toHaveLength(1);
    expect(
      findingsOf('line-max-pointers', {
        diagnoses,
        lines: [line('99214', { pointers: [1, 2, 3, 4] })],
      }),
    ).toEqual([]);
  });

  it('line-pointer-out-of-range: blocks a pointer past the last diagnosis', () => {
    const [finding] = findingsOf('line-pointer-out-of-range', {
      diagnoses: dx('I10', 'E11.9'),
      lines: [line('99214', { pointers: [1, 3] })],
    });
    expect(finding?.message).toContain('points to diagnosis 3, but the encounter has 2 diagnoses');
    expect(
      findingsOf('line-pointer-out-of-range', {
        diagnoses: dx('I10', 'E11.9'),
        lines: [line('99214', { pointers: [2, 1] })],
      }),
    ).toEqual([]);
  });

  it('em-needs-25: warns when an office visit goes with a same-day procedure without modifier 25', () => {
    const coding = {
      diagnoses: dx('M17.11', 'I10'),
      lines: [line('99214', { pointers: [2] }), line('20610', { modifiers: ['RT'] })],
    };
    const [finding] = findingsOf('em-needs-25', coding);
    expect(finding).toMatchObject({
      severity: 'warning',
      fix: 'Add modifier 25 to 99214',
      suggestions: ['25'],
      target: { kind: 'line', index: 0 },
    });
    const fixed = {
      ...coding,
      lines: [
        line('99214', { pointers: [2], modifiers: ['25'] }),
        line('20610', { modifiers: ['RT'] }),
      ],
    };
    expect(findingsOf('em-needs-25', fixed)).toEqual([]);
  });

  it('em-needs-25: does not ask for 25 when the visit only goes with labs, a blood draw or a vaccine', () => {
    const coding = {
      diagnoses: dx('E11.9', 'Z23'),
      lines: [
        line('99213'),
        line('36415'),
        line('83036'),
        line('90471', { pointers: [2] }),
        line('90686', { pointers: [2] }),
      ],
    };
    expect(findingsOf('em-needs-25', coding, FACTS)).toEqual([]);
  });
});
