/**
 * ChartBill's search relevance set: what clinicians and coders type, and the codes they mean.
 * A query counts as a hit when any expected code is among the first five results over the full
 * ICD-10-CM FY2026 + HCPCS Oct 2025 sets (with the FY2025 Alphabetic Index imported). Used by
 * the bench (`search_relevance_top5`) and by test/codes/full-search.test.ts (a floor).
 */
import type { SearchKind } from '../../src/codes/code-set.ts';

export interface RelevanceCase {
  query: string;
  kind: SearchKind;
  /** Any of these in the top five is a hit. */
  expected: readonly string[];
}

const dx = (query: string, ...expected: string[]): RelevanceCase => ({
  query,
  kind: 'diagnosis',
  expected,
});
const svc = (query: string, ...expected: string[]): RelevanceCase => ({
  query,
  kind: 'service',
  expected,
});

export const RELEVANCE_SET: readonly RelevanceCase[] = [
  // Abbreviations clinicians type
  dx('htn', 'I10'),
  dx('dm2', 'E11.9', 'E11.65'),
  dx('t2dm', 'E11.9', 'E11.65'),
  dx('copd', 'J44.9'),
  dx('chf', 'I50.9'),
  dx('uti', 'N39.0'),
  dx('uri', 'J06.9'),
  dx('afib', 'I48.91'),
  dx('gerd', 'K21.9'),
  dx('ckd', 'N18.9', 'N18.30'),
  dx('hld', 'E78.5'),
  dx('osa', 'G47.33'),
  dx('bph', 'N40.0'),
  dx('mdd', 'F32.9', 'F32.A', 'F33.9'),
  dx('gad', 'F41.1'),
  dx('cad', 'I25.10'),
  dx('lbp', 'M54.50'),
  dx('dvt', 'I82.409', 'I82.401', 'I82.402'),
  dx('dm2 ckd', 'E11.22'),
  dx('htn ckd', 'I12.9'),
  // Codes, with and without the dot, and categories
  dx('E11.9', 'E11.9'),
  dx('e119', 'E11.9'),
  dx('i10', 'I10'),
  dx('J45', 'J45'),
  dx('m5450', 'M54.50'),
  dx('Z00.00', 'Z00.00'),
  dx('s93.401a', 'S93.401A'),
  // Words in any order, prefixes
  dx('type 2 diabetes', 'E11.9'),
  dx('diabetes type 2 hyperglycemia', 'E11.65'),
  dx('essential hypertension', 'I10'),
  dx('hypertension', 'I10'),
  dx('low back pain', 'M54.50'),
  dx('pain back low', 'M54.50'),
  dx('hyperlipid', 'E78.5'),
  dx('hypothyroidism', 'E03.9'),
  dx('asthma', 'J45.909', 'J45.901', 'J45.20'),
  dx('migraine', 'G43.909', 'G43.909', 'G43.709'),
  dx('anemia', 'D64.9'),
  dx('vitamin d deficiency', 'E55.9'),
  dx('obesity', 'E66.9'),
  dx('acute sinusitis', 'J01.90'),
  dx('strep throat', 'J02.0'),
  dx('pharyngitis', 'J02.9'),
  dx('otitis media', 'H66.90', 'H66.91', 'H66.92', 'H66.93'),
  dx('conjunctivitis', 'H10.9', 'H10.33'),
  dx('cough', 'R05.9', 'R05.1'),
  dx('chest pain', 'R07.9'),
  dx('headache', 'R51.9'),
  dx('dizziness', 'R42'),
  dx('fatigue', 'R53.83'),
  dx('insomnia', 'G47.00'),
  dx('depression', 'F32.A', 'F32.9'),
  dx('anxiety', 'F41.9', 'F41.1'),
  dx('covid', 'U07.1'),
  dx('influenza', 'J11.1', 'J10.1'),
  dx('pneumonia', 'J18.9'),
  dx('bronchitis acute', 'J20.9'),
  dx('knee osteoarthritis', 'M17.9', 'M17.11', 'M17.12', 'M17.10'),
  dx('ankle sprain', 'S93.401A', 'S93.402A', 'S93.409A'),
  dx('annual physical', 'Z00.00', 'Z00.01'),
  dx('well child', 'Z00.129', 'Z00.121'),
  dx('prediabetes', 'R73.03'),
  dx('nicotine dependence cigarettes', 'F17.210'),
  // Alphabetic Index and inclusion terms (words not in the code's own title)
  dx('kidney stone', 'N20.0'),
  dx('heart attack', 'I21.9'),
  dx('pink eye', 'H10.9', 'H10.30', 'H10.33', 'H10.029', 'H10.023'),
  dx('enlarged prostate', 'N40.0'),
  dx('hay fever', 'J30.1', 'J30.2', 'J30.9'),
  dx('shingles', 'B02.9'),
  dx('heartburn', 'R12'),
  dx('chickenpox', 'B01.9'),
  // HCPCS Level II and CPT numbers
  svc('g0439', 'G0439'),
  svc('annual wellness visit', 'G0438', 'G0439'),
  svc('flu vaccine administration', 'G0008'),
  svc('wheelchair standard', 'K0001'),
  svc('99213', '99213'),
  svc('glucose test strips', 'A4253'),
  svc('cane', 'E0100', 'E0105'),
  svc('j3490', 'J3490'),
];
