/**
 * CY2025 Medicare PFS payment indicators (PPRRVU2025_Oct: PCTC IND, BILAT SURG, GLOB DAYS) of the
 * codes the sandbox bills, so the sandbox runs the 26/TC, 50 and global-days edits without the
 * RVU files. A deployment sets CHARTBILL_PFS_DIR to the CMS RVU folder instead. Browser-safe.
 */
import type { ServiceIndicatorLookup, ServiceIndicators } from '../edits/edit-reference.ts';

const ROWS: Readonly<Record<string, string>> = {
  // code: PCTC BILAT GLOB
  '99202': '0 0 XXX',
  '99203': '0 0 XXX',
  '99204': '0 0 XXX',
  '99205': '0 0 XXX',
  '99211': '0 0 XXX',
  '99212': '0 0 XXX',
  '99213': '0 0 XXX',
  '99214': '0 0 XXX',
  '99215': '0 0 XXX',
  '99396': '9 9 XXX',
  '93000': '4 0 XXX',
  '71046': '1 0 XXX',
  '73030': '1 3 XXX',
  '76700': '1 0 XXX',
  '10060': '0 0 010',
  '11102': '0 0 000',
  '11103': '0 0 ZZZ',
  '11104': '0 0 000',
  '11105': '0 0 ZZZ',
  '11106': '0 0 000',
  '11107': '0 0 ZZZ',
  '12001': '0 0 000',
  '17000': '0 0 010',
  '17003': '0 0 ZZZ',
  '17110': '0 0 010',
  '20610': '0 1 000',
  '27447': '0 1 090',
  '29881': '0 1 090',
  '69210': '0 2 000',
  '90471': '5 0 XXX',
  '90472': '5 0 ZZZ',
  '96372': '5 0 XXX',
  '36415': '9 9 XXX',
  '99417': '9 9 ZZZ',
  G0438: '0 0 XXX',
  G0439: '0 0 XXX',
};

/** The sandbox's indicator lookup. */
export function sandboxPfsIndicators(): ServiceIndicatorLookup {
  return (code: string): ServiceIndicators | undefined => {
    const row = ROWS[code.trim().toUpperCase()];
    if (!row) return undefined;
    const [pcTc = '9', bilateral = '9', globalDays = 'XXX'] = row.split(' ');
    return { pcTc, bilateral, globalDays };
  };
}
