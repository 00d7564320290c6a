import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PLACE_OF_SERVICE } from '../../src/edits/place-of-service.ts';
import { cleanCoding, FACTS, findingsOf } from './edit-fixtures.ts';

describe('place of service', () => {
  it('has the 52 CMS codes of shared/data/code-lists/place_of_service.csv, with their names', () => {
    const csv = readFileSync(
      new URL('../../../shared/data/code-lists/place_of_service.csv', import.meta.url),
      'utf8',
    );
    const codes = csv
      .split(/\r?\n/)
      .slice(1)
      .filter(Boolean)
      .map((l) => l.split(',')[0]);
    expect([...PLACE_OF_SERVICE.keys()]).toEqual(codes);
    expect(PLACE_OF_SERVICE.size).toBe(52);
    expect(PLACE_OF_SERVICE.get('11')).toBe('Office');
  });

  it('claim-place-of-service: blocks a code CMS never assigned, accepts office and telehealth', () => {
    const [finding] = findingsOf('claim-place-of-service', cleanCoding(), {
      ...FACTS,
      placeOfService: '30',
    });
    expect(finding).toMatchObject({ severity: 'error' });
    expect(finding?.message).toContain("'30'");
    expect(
      findingsOf('claim-place-of-service', cleanCoding(), { ...FACTS, placeOfService: '11' }),
    ).toEqual([]);
    expect(
      findingsOf('claim-place-of-service', cleanCoding(), { ...FACTS, placeOfService: '10' }),
    ).toEqual([]);
    expect(findingsOf('claim-place-of-service', cleanCoding(), FACTS)).toEqual([]);
  });
});
