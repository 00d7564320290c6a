import { describe, expect, it } from 'vitest';
import {
  accessOf,
  decideAccess,
  grantScope,
  parseResourceScope,
  type Interaction,
} from '../../sandbox/scopes.ts';

describe('SMART scopes', () => {
  it('reads v1 and v2 permissions', () => {
    expect([...(parseResourceScope('patient/Condition.read')?.interactions ?? [])]).toEqual([
      'r',
      's',
    ]);
    expect([...(parseResourceScope('user/ChargeItem.write')?.interactions ?? [])]).toEqual([
      'c',
      'u',
      'd',
    ]);
    expect([...(parseResourceScope('system/*.cruds')?.interactions ?? [])]).toEqual([
      'c',
      'r',
      'u',
      'd',
      's',
    ]);
    expect(parseResourceScope('patient/Observation.rs?category=laboratory')).toBeUndefined();
    expect(parseResourceScope('patient/Condition.sr')).toBeUndefined();
  });

  it('grants what is asked and covered by the registration, nothing else', () => {
    expect(
      grantScope(
        'launch patient/Condition.rs patient/Claim.c system/*.read bogus',
        'launch patient/*.rs',
      ),
    ).toBe('launch patient/Condition.rs');
    expect(grantScope('patient/Condition.read', 'patient/Condition.cruds')).toBe(
      'patient/Condition.read',
    );
  });

  it('confines patient scopes to the compartment and lets user/system scopes reach all', () => {
    expect(decideAccess('patient/Condition.rs', 'Condition', 's', true)).toBe(
      'patient-compartment',
    );
    expect(decideAccess('patient/Condition.rs', 'Condition', 's', false)).toBe('denied');
    expect(decideAccess('patient/Condition.rs', 'Condition', 'c', true)).toBe('denied');
    expect(decideAccess('patient/*.read user/Condition.read', 'Condition', 'r', true)).toBe('any');
    expect(decideAccess('system/*.cruds', 'Task', 'd', false)).toBe('any');
  });

  it('decides the same for a token parsed once, asked again and again', () => {
    const scope = 'patient/Condition.rs user/Claim.cu system/Encounter.rs patient/*.read';
    const types = ['Condition', 'Claim', 'Encounter', 'Patient', 'Task'];
    const interactions: Interaction[] = ['c', 'r', 'u', 'd', 's'];
    for (const hasPatient of [true, false]) {
      const accessTo = accessOf(scope, hasPatient);
      for (let pass = 0; pass < 2; pass++) {
        for (const type of types)
          for (const i of interactions)
            expect(accessTo(type, i), `${type}.${i}`).toBe(
              decideAccess(scope, type, i, hasPatient),
            );
      }
    }
    expect(accessOf(scope, true)('Claim', 'c')).toBe('any');
    expect(accessOf(scope, false)('Condition', 's')).toBe('denied');
  });
});
