/**
 * Code sets: ICD-10-CM diagnoses, CPT and HCPCS Level II services, and modifiers.
 * Browser-safe types; implementations live beside this file.
 */
export type CodeSystemKey = 'icd10cm' | 'cpt' | 'hcpcs' | 'modifier';

export interface CodeEntry {
  system: CodeSystemKey;
  /** As billed: ICD-10-CM with its dot (`E11.9`); CPT/HCPCS as five characters; modifiers two. */
  code: string;
  /** Official description (ICD-10-CM, HCPCS) or ChartBill's own short label (CPT). */
  display: string;
  /** False for ICD-10-CM categories and headers that cannot be billed. */
  billable: boolean;
  /** First and last date of service (YYYY-MM-DD) the code is valid for, when known. */
  validFrom?: string;
  validTo?: string;
}

export type SearchKind = 'diagnosis' | 'service' | 'modifier';

export interface CodeSet {
  /** Looks a code up, with or without the dot for ICD-10-CM. */
  lookup(system: CodeSystemKey, code: string): CodeEntry | undefined;
  /** Forgiving search: codes with or without dots, words in any order, prefixes, abbreviations. */
  search(query: string, kind: SearchKind, limit?: number): CodeEntry[];
  /** The codes one level below an ICD-10-CM category or subcategory. */
  children(code: string): CodeEntry[];
}
