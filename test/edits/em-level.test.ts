import { describe, expect, it } from 'vitest';
import {
  dataLevel,
  emLevel,
  mdmLevel,
  type DataLevel,
  type ProblemsLevel,
  type RiskLevel,
} from '../../src/edits/em/em-level.ts';
import { dx, FACTS, findingsOf, line } from './edit-fixtures.ts';

describe('E/M level by total time (AMA 2021 office visit table)', () => {
  // Every boundary: one minute under and at each level's threshold.
  const NEW: [number, string | undefined][] = [
    [14, undefined],
    [15, '99202'],
    [29, '99202'],
    [30, '99203'],
    [44, '99203'],
    [45, '99204'],
    [59, '99204'],
    [60, '99205'],
    [74, '99205'],
    [120, '99205'],
  ];
  const ESTABLISHED: [number, string | undefined][] = [
    [9, undefined],
    [10, '99212'],
    [19, '99212'],
    [20, '99213'],
    [29, '99213'],
    [30, '99214'],
    [39, '99214'],
    [40, '99215'],
    [54, '99215'],
  ];
  it.each(NEW)('new patient, %i minutes → %s', (minutes, code) => {
    expect(emLevel('new', { minutes })?.code).toBe(code);
  });
  it.each(ESTABLISHED)('established patient, %i minutes → %s', (minutes, code) => {
    expect(emLevel('established', { minutes })?.code).toBe(code);
  });
  it('names prolonged service time past the top level', () => {
    expect(emLevel('established', { minutes: 55 })?.reason).toContain('99417');
    expect(emLevel('established', { minutes: 54 })?.reason).not.toContain('99417');
    expect(emLevel('new', { minutes: 75 })?.reason).toContain('99417');
  });
});

describe('E/M level by medical decision making (two of three elements)', () => {
  const P: ProblemsLevel[] = ['minimal', 'low', 'moderate', 'high'];
  const D: DataLevel[] = ['minimal', 'limited', 'moderate', 'extensive'];
  const R: RiskLevel[] = ['minimal', 'low', 'moderate', 'high'];
  const NEW = ['99202', '99203', '99204', '99205'];
  const EST = ['99212', '99213', '99214', '99215'];

  it('every combination of the three elements gives the level two of them meet', () => {
    for (let p = 0; p < 4; p++)
      for (let d = 0; d < 4; d++)
        for (let r = 0; r < 4; r++) {
          const met = [p, d, r].sort()[1] ?? 0;
          const doc = { problems: P[p], data: D[d], risk: R[r] };
          expect(emLevel('new', doc)?.code).toBe(NEW[met]);
          expect(emLevel('established', doc)?.code).toBe(EST[met]);
        }
  });

  it('the AMA table rows: moderate problems and risk with minimal data is moderate MDM', () => {
    expect(mdmLevel({ problems: 'moderate', data: 'minimal', risk: 'moderate' })).toBe('moderate');
    expect(mdmLevel({ problems: 'high', data: 'limited', risk: 'low' })).toBe('low');
    expect(mdmLevel({ problems: 'high', data: 'extensive', risk: 'minimal' })).toBe('high');
    expect(mdmLevel({ problems: 'high', data: 'extensive' })).toBeUndefined();
  });

  it('takes the higher of time and MDM, and says which', () => {
    const both = emLevel('established', {
      minutes: 22,
      problems: 'moderate',
      data: 'moderate',
      risk: 'low',
    });
    expect(both).toMatchObject({ code: '99214', basis: 'mdm' });
    expect(both?.reason).toContain('MDM moderate');
    expect(
      emLevel('established', { minutes: 41, problems: 'low', data: 'limited', risk: 'low' }),
    ).toMatchObject({
      code: '99215',
      basis: 'time',
    });
    expect(emLevel('new', {})).toBeUndefined();
  });
});

describe('the data element from its categories', () => {
  const none = {
    documentsAndTests: 0,
    independentHistorian: false,
    independentInterpretation: false,
    externalDiscussion: false,
  };
  it('limited at 2 documents or tests, or an independent historian', () => {
    expect(dataLevel({ ...none, documentsAndTests: 1 })).toBe('minimal');
    expect(dataLevel({ ...none, documentsAndTests: 2 })).toBe('limited');
    expect(dataLevel({ ...none, independentHistorian: true })).toBe('limited');
  });
  it('moderate at one category, extensive at two', () => {
    expect(dataLevel({ ...none, documentsAndTests: 3 })).toBe('moderate');
    expect(dataLevel({ ...none, documentsAndTests: 2, independentHistorian: true })).toBe(
      'moderate',
    );
    expect(dataLevel({ ...none, independentInterpretation: true })).toBe('moderate');
    expect(dataLevel({ ...none, externalDiscussion: true })).toBe('moderate');
    expect(dataLevel({ ...none, documentsAndTests: 3, externalDiscussion: true })).toBe(
      'extensive',
    );
    expect(dataLevel({ ...none, independentInterpretation: true, externalDiscussion: true })).toBe(
      'extensive',
    );
  });
});

describe('em-level-above-documented', () => {
  const billed = (code: string, doc: object) => ({
    diagnoses: dx('I10'),
    lines: [line(code, { emDocumentation: doc })],
  });
  it('warns when the billed level is above the documented one, with the supported code', () => {
    const [f] = findingsOf('em-level-above-documented', billed('99215', { minutes: 32 }), FACTS);
    expect(f).toMatchObject({ severity: 'warning', suggestions: ['99214'] });
    expect(f?.message).toContain('32 minutes');
  });
  it('does not fire at or below the documented level, or without documentation', () => {
    expect(
      findingsOf('em-level-above-documented', billed('99214', { minutes: 30 }), FACTS),
    ).toEqual([]);
    expect(
      findingsOf('em-level-above-documented', billed('99213', { minutes: 45 }), FACTS),
    ).toEqual([]);
    expect(
      findingsOf(
        'em-level-above-documented',
        { diagnoses: dx('I10'), lines: [line('99215')] },
        FACTS,
      ),
    ).toEqual([]);
  });
  it('says so when nothing documented supports any level', () => {
    const [f] = findingsOf('em-level-above-documented', billed('99203', { minutes: 5 }), FACTS);
    expect(f?.message).toContain('support no new patient office visit level');
  });
});
