import type { CodeableConcept, Encounter, Location } from 'fhir/r4';
import { SYSTEM } from '../fhir/systems.ts';

/**
 * The CMS place-of-service code (837P CLM05-1, CMS-1500 box 24B) of one encounter, so a
 * telehealth or hospital visit does not go out as an office visit. In order:
 * 1. the service Location's type, when it carries a code of the CMS place-of-service code set
 *    (the EHR knows best: an ambulatory surgical center is `24`, a nursing facility `32`, …);
 * 2. the encounter's class (HL7 v3 ActCode), refined by the Location's v3 RoleCode type:
 *
 * | Encounter.class | Location.type | POS |
 * |---|---|---|
 * | `VR` virtual | `PTRES` patient's residence | `10` telehealth in the patient's home |
 * | `VR` virtual | anything else | `02` telehealth other than the patient's home |
 * | `IMP`, `ACUTE`, `NONAC` inpatient | | `21` inpatient hospital |
 * | `EMER` emergency | | `23` emergency room, hospital |
 * | `OBSENC`, `SS`, `PRENC` | | `22` on-campus outpatient hospital |
 * | `HH` home health | | `12` home |
 * | `AMB` ambulatory | `HOSP` hospital | `22` on-campus outpatient hospital |
 * | `AMB` ambulatory | `ER` | `23` |
 * | `AMB` ambulatory | `PTRES` | `12` home |
 * | `AMB` ambulatory | anything else | `fallback` (`11` office by default) |
 *
 * 3. `fallback` (the practice's default, `11`) when the encounter has no class ChartBill maps.
 */
export function encounterPlaceOfService(
  encounter: Encounter,
  location: Location | undefined,
  fallback: string,
): string {
  const explicit = codeIn(location?.type, SYSTEM.placeOfService);
  if (explicit && /^\d{2}$/.test(explicit)) return explicit;
  const where = codeIn(location?.type, SYSTEM.roleCode);
  const klass = encounter.class.system === SYSTEM.actCode ? encounter.class.code : undefined;
  switch (klass) {
    case 'VR':
      return where === 'PTRES' ? '10' : '02';
    case 'IMP':
    case 'ACUTE':
    case 'NONAC':
      return '21';
    case 'EMER':
      return '23';
    case 'OBSENC':
    case 'SS':
    case 'PRENC':
      return '22';
    case 'HH':
      return '12';
    case 'AMB':
      return AMBULATORY_BY_LOCATION[where ?? ''] ?? fallback;
    default:
      return fallback;
  }
}

const AMBULATORY_BY_LOCATION: Readonly<Record<string, string>> = {
  HOSP: '22',
  ER: '23',
  PTRES: '12',
};

function codeIn(concepts: readonly CodeableConcept[] | undefined, system: string) {
  return concepts?.flatMap((c) => c.coding ?? []).find((c) => c.system === system)?.code;
}
