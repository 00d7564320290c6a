import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TIMELY_FILING,
  parseTimelyFilingConfig,
  timelyFilingFromEnv,
} from '../../src/edits/timely-filing.ts';
import { cleanCoding, findingsOf } from './edit-fixtures.ts';

const submit = (
  today: string,
  payerId?: string,
  timelyFiling = parseTimelyFilingConfig({ byPayer: { 'sandbox-plan': 90 } }),
) => ({ submission: { today, timelyFiling, ...(payerId ? { payerId } : {}) } });
const FACTS = { dateOfService: '2025-01-10' };

describe('claim-timely-filing', () => {
  it('blocks a claim past the payer window, naming the last day', () => {
    const [finding] = findingsOf(
      'claim-timely-filing',
      cleanCoding(),
      FACTS,
      undefined,
      submit('2025-04-11', 'sandbox-plan'),
    );
    expect(finding).toMatchObject({ severity: 'error' });
    expect(finding?.message).toContain(
      '90 days after the date of service 2025-01-10) ended on 2025-04-10',
    );
  });

  it('warns within 30 days of the limit and is quiet before', () => {
    expect(
      findingsOf(
        'claim-timely-filing',
        cleanCoding(),
        FACTS,
        undefined,
        submit('2025-04-10', 'sandbox-plan'),
      )[0]?.message,
    ).toContain('Only 0 days left');
    expect(
      findingsOf(
        'claim-timely-filing',
        cleanCoding(),
        FACTS,
        undefined,
        submit('2025-03-11', 'sandbox-plan'),
      ),
    ).toMatchObject([{ severity: 'warning' }]);
    expect(
      findingsOf(
        'claim-timely-filing',
        cleanCoding(),
        FACTS,
        undefined,
        submit('2025-03-10', 'sandbox-plan'),
      ),
    ).toEqual([]);
  });

  it('uses the 365-day default for other payers, and nothing while the clinician codes', () => {
    expect(
      findingsOf(
        'claim-timely-filing',
        cleanCoding(),
        FACTS,
        undefined,
        submit('2025-12-01', 'other'),
      ),
    ).toEqual([]);
    expect(
      findingsOf(
        'claim-timely-filing',
        cleanCoding(),
        FACTS,
        undefined,
        submit('2026-01-11', 'other'),
      ),
    ).toMatchObject([{ severity: 'error' }]);
    expect(
      findingsOf('claim-timely-filing', cleanCoding(), { dateOfService: '2020-01-01' }),
    ).toEqual([]);
  });

  it('reads the window config from JSON and from the env form, refusing bad entries', () => {
    expect(parseTimelyFilingConfig({})).toEqual(DEFAULT_TIMELY_FILING);
    expect(() => parseTimelyFilingConfig({ byPayer: { a: 0 } })).toThrow();
    expect(timelyFilingFromEnv('payerA=90, default=180')).toEqual({
      defaultDays: 180,
      byPayer: { payerA: 90 },
    });
    expect(() => timelyFilingFromEnv('payerA=ninety')).toThrow(/payerA=ninety/);
  });
});
