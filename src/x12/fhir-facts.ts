import type { Address, HumanName, Identifier } from 'fhir/r4';
import { ClaimNotExpressibleError } from './x12-error.ts';
import { text } from './x12-writer.ts';

/** The IRS employer identification number system (HL7 US Core: `urn:oid:2.16.840.1.113883.4.4`). */
export const EIN_SYSTEM = 'urn:oid:2.16.840.1.113883.4.4';
/** NUCC provider taxonomy (the code system US Core uses for PractitionerRole.specialty). */
export const NUCC_SYSTEM = 'http://nucc.org/provider-taxonomy';

/** The value of the first identifier with `system`, or undefined. */
export function identifierValue(
  identifiers: readonly Identifier[] | undefined,
  system: string,
): string | undefined {
  return identifiers?.find((i) => i.system === system && i.value)?.value;
}

/** An identifier the 837P must carry; its absence names the element. */
export function requireIdentifier(
  identifiers: readonly Identifier[] | undefined,
  system: string,
  element: string,
  x12: string,
): string {
  const value = identifierValue(identifiers, system);
  if (!value)
    throw new ClaimNotExpressibleError(`${element} (system ${system})`, x12, 'none found');
  return value;
}

/** NM103-NM105 of a person: last, first, middle. */
export function personName(names: readonly HumanName[] | undefined, element: string, x12: string) {
  const name = names?.find((n) => n.use === 'official') ?? names?.[0];
  const last = text(name?.family, 60);
  if (!last)
    throw new ClaimNotExpressibleError(`${element}.family`, x12, 'a last name is required');
  return { last, first: text(name?.given?.[0], 35), middle: text(name?.given?.[1], 25) };
}

/** N3/N4 segments of an address; ZIP+4 (9 digits) where the TR3 asks for it. */
export function addressSegments(
  address: Address | undefined,
  element: string,
  x12: string,
  zipPlus4 = false,
): string[][] {
  const line = text(address?.line?.[0], 55);
  const city = text(address?.city, 30);
  const state = text(address?.state, 2);
  const zip = (address?.postalCode ?? '').replace(/\D/g, '');
  if (!line)
    throw new ClaimNotExpressibleError(`${element}.line`, `${x12} N3`, 'no street address');
  if (!city || !/^[A-Z]{2}$/.test(state))
    throw new ClaimNotExpressibleError(`${element}.city/state`, `${x12} N4`, 'no city or state');
  if (zipPlus4 ? zip.length !== 9 : zip.length !== 5 && zip.length !== 9)
    throw new ClaimNotExpressibleError(
      `${element}.postalCode`,
      `${x12} N403`,
      zipPlus4 ? 'the billing provider needs a ZIP+4 (9 digits)' : 'a 5 or 9 digit ZIP is required',
    );
  const line2 = text(address?.line?.[1], 55);
  return [line2 ? ['N3', line, line2] : ['N3', line], ['N4', city, state, zip]];
}

/** DMG: date of birth (D8) and sex (M, F, U) (837P 2010BA/2010CA). */
export function demographics(
  birthDate: string | undefined,
  gender: string | undefined,
  element: string,
  x12: string,
): string[] {
  if (!birthDate || !/^\d{4}-\d{2}-\d{2}$/.test(birthDate))
    throw new ClaimNotExpressibleError(
      `${element}.birthDate`,
      `${x12} DMG`,
      'a full date of birth is required',
    );
  const sex = gender === 'male' ? 'M' : gender === 'female' ? 'F' : 'U';
  return ['DMG', 'D8', birthDate.replace(/-/g, ''), sex];
}

/** YYYY-MM-DD → CCYYMMDD. */
export function d8Of(date: string): string {
  return date.slice(0, 10).replace(/-/g, '');
}
