/**
 * Places of service paid at the PFS facility rate (the facility bears the practice expense):
 * Medicare Claims Processing Manual, Chapter 12 §20.4.2. Telehealth in the patient's home (10) is
 * paid at the non-facility rate since 2024; other telehealth (02) at the facility rate.
 * Browser-safe.
 */
export const FACILITY_POS: ReadonlySet<string> = new Set([
  '02',
  '19',
  '21',
  '22',
  '23',
  '24',
  '26',
  '31',
  '34',
  '41',
  '42',
  '51',
  '52',
  '53',
  '56',
  '61',
]);

/** `facility` or `non-facility` for a place-of-service code. */
export function settingOf(placeOfService: string): 'facility' | 'non-facility' {
  return FACILITY_POS.has(placeOfService.trim()) ? 'facility' : 'non-facility';
}
