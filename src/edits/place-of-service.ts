/**
 * CMS place-of-service codes (837P CLM05-1 / SV105, CMS-1500 box 24B): the 52 codes of the CMS POS
 * code set as listed in shared/data/code-lists/place_of_service.csv (a test checks this table
 * against that file). Public domain (CMS). Built in so the app and the sandbox need no file.
 * Browser-safe.
 */
export const PLACE_OF_SERVICE: ReadonlyMap<string, string> = new Map<string, string>([
  ['01', 'Pharmacy'],
  ['02', 'Telehealth Provided Other than in Patient’s Home'],
  ['03', 'School'],
  ['04', 'Homeless Shelter'],
  ['05', 'Indian Health Service Free-standing Facility'],
  ['06', 'Indian Health ServiceProvider-based Facility'],
  ['07', 'Tribal 638 Free-standing Facility'],
  ['08', 'Tribal 638 Provider-based Facility'],
  ['09', 'Prison/ Correctional Facility'],
  ['10', 'Telehealth Provided in Patient’s Home'],
  ['11', 'Office'],
  ['12', 'Home'],
  ['13', 'Assisted Living Facility'],
  ['14', 'Group Home'],
  ['15', 'Mobile Unit'],
  ['16', 'Temporary Lodging'],
  ['17', 'Walk-in Retail Health Clinic'],
  ['18', 'Worksite'],
  ['19', 'Off Campus-Outpatient Hospital'],
  ['20', 'Urgent Care Facility'],
  ['21', 'Inpatient Hospital'],
  ['22', 'On Campus-Outpatient Hospital'],
  ['23', 'Emergency Room – Hospital'],
  ['24', 'Ambulatory Surgical Center'],
  ['25', 'Birthing Center'],
  ['26', 'Military Treatment Facility'],
  ['27', 'Outreach Site/ Street'],
  ['31', 'Skilled Nursing Facility'],
  ['32', 'Nursing Facility'],
  ['33', 'Custodial Care Facility'],
  ['34', 'Hospice'],
  ['41', 'Ambulance - Land'],
  ['42', 'Ambulance – Air or Water'],
  ['49', 'Independent Clinic'],
  ['50', 'Federally Qualified Health Center'],
  ['51', 'Inpatient Psychiatric Facility'],
  ['52', 'Psychiatric Facility-Partial Hospitalization'],
  ['53', 'Community Mental Health Center'],
  ['54', 'Intermediate Care Facility/ Individuals with Intellectual Disabilities'],
  ['55', 'Residential Substance Abuse Treatment Facility'],
  ['56', 'Psychiatric Residential Treatment Center'],
  ['57', 'Non-residential Substance Abuse Treatment Facility'],
  ['58', 'Non-residential Opioid Treatment Facility'],
  ['60', 'Mass Immunization Center'],
  ['61', 'Comprehensive Inpatient Rehabilitation Facility'],
  ['62', 'Comprehensive Outpatient Rehabilitation Facility'],
  ['65', 'End-Stage Renal Disease Treatment Facility'],
  ['66', 'Programs of All-Inclusive Care for the Elderly (PACE) Center*'],
  ['71', 'Public Health Clinic'],
  ['72', 'Rural Health Clinic'],
  ['81', 'Independent Laboratory'],
  ['99', 'Other Place of Service'],
]);

/**
 * The place of service when nothing says otherwise: 11, Office. ChartBill codes outpatient visits
 * and does not yet read the encounter's location, so the claim (837P CLM05-1) and the edits both
 * assume an office visit.
 */
export const DEFAULT_PLACE_OF_SERVICE = '11';

/** The name of a POS code (`11` → `Office`), or undefined when it is not a CMS POS code. */
export function placeOfServiceName(code: string): string | undefined {
  return PLACE_OF_SERVICE.get(code.trim());
}
