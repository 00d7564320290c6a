import { describe, expect, it } from 'vitest';
import {
  mayDo,
  mayWriteOff,
  parseRoleMap,
  requireAction,
  rolesFor,
} from '../../src/billing-office/roles.ts';

describe('billing roles from configuration', () => {
  const map = parseRoleMap(
    'Practitioner/ann=biller; Group/coders=coder;PractitionerRole/m1=manager',
  );

  it('gives a user the roles of their fhirUser and of the groups they belong to', () => {
    expect(rolesFor(map, 'Practitioner/ann', ['Group/coders'])).toEqual(['coder', 'biller']);
    expect(rolesFor(map, 'Practitioner/zed')).toEqual([]);
  });

  it('lets a coder correct coding but not write off, and a biller not read analytics', () => {
    expect(mayDo(['coder'], 'claim.correct')).toBe(true);
    expect(mayDo(['coder'], 'claim.write-off')).toBe(false);
    expect(mayDo(['biller'], 'analytics.read')).toBe(false);
    expect(() => requireAction(['coder'], 'claim.write-off')).toThrow(/biller or manager/);
  });

  it('keeps write-offs above the limit for managers', () => {
    expect(mayWriteOff(['biller'], 100, 100)).toBe(true);
    expect(mayWriteOff(['biller'], 100.01, 100)).toBe(false);
    expect(mayWriteOff(['manager'], 5000, 100)).toBe(true);
    expect(mayWriteOff(['coder'], 1, 100)).toBe(false);
  });

  it('refuses a configuration entry it cannot read, naming it', () => {
    expect(() => parseRoleMap('ann=biller')).toThrow(/"ann=biller"/);
    expect(() => parseRoleMap('Practitioner/1=boss')).toThrow(/unknown one \(boss\)/);
  });
});
