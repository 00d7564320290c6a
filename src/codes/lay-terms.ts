/**
 * Lay terms clinicians and staff type into a code search ("broken wrist", "stomach flu", "dizzy",
 * "flu shot"), with the words of the official descriptions and Alphabetic Index they stand for
 * and, where one code is the usual meaning, the code prefixes to rank first (like abbreviations.ts).
 * A lay phrase found in the query (whole words, in order) is replaced by one term. Browser-safe.
 */
export interface LayTerm {
  /** Words every matching description or index term contains (prefix match, any order). */
  words: string;
  /** Code prefixes (with dot) the phrase usually means: ranked first even without the words. */
  codes?: readonly string[];
}

/** Keys: lower-case phrases of whole words (single words too, e.g. `dizzy`). */
export const LAY_TERMS: Readonly<Record<string, LayTerm>> = {
  'broken wrist': { words: 'fracture wrist', codes: ['S52.50', 'S62.10'] },
  'broken arm': { words: 'fracture arm', codes: ['S42.3', 'S52.9', 'S42.90'] },
  'broken leg': { words: 'fracture leg', codes: ['S82.9', 'S72.9', 'S82.20'] },
  'broken ankle': { words: 'fracture ankle', codes: ['S82.89', 'S82.5', 'S82.6', 'S82.90'] },
  'broken hip': { words: 'fracture hip', codes: ['S72.00', 'S72.009'] },
  'broken nose': { words: 'fracture nasal', codes: ['S02.2'] },
  'broken toe': { words: 'fracture toe', codes: ['S92.9', 'S92.91'] },
  'broken finger': { words: 'fracture finger', codes: ['S62.6', 'S62.9'] },
  'broken rib': { words: 'fracture rib', codes: ['S22.3', 'S22.39'] },
  'broken collarbone': { words: 'fracture clavicle', codes: ['S42.0'] },
  'stomach flu': { words: 'gastroenteritis', codes: ['A08.4', 'K52.9'] },
  'stomach bug': { words: 'gastroenteritis', codes: ['A08.4', 'K52.9'] },
  'flu shot': { words: 'immunization', codes: ['Z23', 'G0008', '90686', '90688'] },
  'flu vaccine': { words: 'influenza vaccine', codes: ['Z23', 'G0008', '90686', '90688'] },
  'ear infection': { words: 'otitis media', codes: ['H66.9', 'H66.90'] },
  'swimmers ear': { words: 'otitis externa', codes: ['H60.3', 'H60.9'] },
  'swimmer ear': { words: 'otitis externa', codes: ['H60.3', 'H60.9'] },
  dizzy: { words: 'dizziness', codes: ['R42'] },
  lightheaded: { words: 'dizziness', codes: ['R42'] },
  'high blood pressure': { words: 'hypertension', codes: ['I10'] },
  'high bp': { words: 'hypertension', codes: ['I10'] },
  'high cholesterol': { words: 'hypercholesterolemia', codes: ['E78.00', 'E78.5'] },
  'high sugar': { words: 'hyperglycemia', codes: ['R73.9'] },
  'low sugar': { words: 'hypoglycemia', codes: ['E16.2'] },
  'low thyroid': { words: 'hypothyroidism', codes: ['E03.9'] },
  'sugar diabetes': { words: 'diabetes', codes: ['E11.9'] },
  'sinus infection': { words: 'sinusitis', codes: ['J01.90', 'J32.9'] },
  'chest cold': { words: 'acute bronchitis', codes: ['J20.9'] },
  'head cold': { words: 'nasopharyngitis', codes: ['J00'] },
  'common cold': { words: 'nasopharyngitis', codes: ['J00'] },
  'sore throat': { words: 'pharyngitis', codes: ['J02.9'] },
  'runny nose': { words: 'rhinorrhea', codes: ['J34.89'] },
  'stuffy nose': { words: 'nasal congestion', codes: ['R09.81'] },
  'stomach ache': { words: 'abdominal pain', codes: ['R10.9', 'R10.84'] },
  stomachache: { words: 'abdominal pain', codes: ['R10.9', 'R10.84'] },
  'belly pain': { words: 'abdominal pain', codes: ['R10.9', 'R10.84'] },
  'tummy ache': { words: 'abdominal pain', codes: ['R10.9', 'R10.84'] },
  'throwing up': { words: 'vomiting', codes: ['R11.10', 'R11.2'] },
  'bladder infection': { words: 'cystitis', codes: ['N30.90', 'N39.0'] },
  'kidney infection': { words: 'pyelonephritis', codes: ['N10', 'N12'] },
  'yeast infection': { words: 'candidiasis', codes: ['B37.31', 'B37.9', 'B37.3'] },
  'pinched nerve': { words: 'radiculopathy', codes: ['M54.1', 'M54.10', 'M54.12', 'M54.16'] },
  'slipped disc': { words: 'intervertebral disc displacement', codes: ['M51.2', 'M51.26'] },
  'herniated disc': { words: 'intervertebral disc displacement', codes: ['M51.2', 'M51.26'] },
  'bad back': { words: 'back pain', codes: ['M54.9', 'M54.50'] },
  'tennis elbow': { words: 'lateral epicondylitis', codes: ['M77.1'] },
  'golfers elbow': { words: 'medial epicondylitis', codes: ['M77.0'] },
  'golfer elbow': { words: 'medial epicondylitis', codes: ['M77.0'] },
  'lazy eye': { words: 'amblyopia', codes: ['H53.00'] },
  'bed sore': { words: 'pressure ulcer', codes: ['L89.9', 'L89.90'] },
  bedsore: { words: 'pressure ulcer', codes: ['L89.9', 'L89.90'] },
  'cold sore': { words: 'herpesviral vesicular dermatitis', codes: ['B00.1'] },
  'fever blister': { words: 'herpesviral vesicular dermatitis', codes: ['B00.1'] },
  'twisted ankle': { words: 'sprain ankle', codes: ['S93.40', 'S93.401', 'S93.402', 'S93.409'] },
  'rolled ankle': { words: 'sprain ankle', codes: ['S93.40', 'S93.401', 'S93.402', 'S93.409'] },
  'pulled muscle': { words: 'strain muscle' },
  'mini stroke': { words: 'transient cerebral ischemic', codes: ['G45.9'] },
  stroke: { words: 'cerebral infarction', codes: ['I63.9'] },
  'blood clot': { words: 'thrombosis', codes: ['I82.40', 'I82.90'] },
  'trouble sleeping': { words: 'insomnia', codes: ['G47.00'] },
  'cant sleep': { words: 'insomnia', codes: ['G47.00'] },
  bedwetting: { words: 'enuresis', codes: ['N39.44', 'R32', 'F98.0'] },
  hives: { words: 'urticaria', codes: ['L50.9'] },
  itching: { words: 'pruritus', codes: ['L29.9'] },
  itchy: { words: 'pruritus', codes: ['L29.9'] },
  nosebleed: { words: 'epistaxis', codes: ['R04.0'] },
  'nose bleed': { words: 'epistaxis', codes: ['R04.0'] },
  fainting: { words: 'syncope', codes: ['R55'] },
  fainted: { words: 'syncope', codes: ['R55'] },
  'passed out': { words: 'syncope', codes: ['R55'] },
  'irregular heartbeat': { words: 'arrhythmia', codes: ['I49.9'] },
  'racing heart': { words: 'palpitations', codes: ['R00.2'] },
  'hair loss': { words: 'alopecia', codes: ['L65.9'] },
  'acid reflux': { words: 'gastro-esophageal reflux', codes: ['K21.9'] },
  reflux: { words: 'gastro-esophageal reflux', codes: ['K21.9'] },
  'morning sickness': { words: 'hyperemesis gravidarum', codes: ['O21.0'] },
  'toenail fungus': { words: 'onychomycosis', codes: ['B35.1'] },
  'nail fungus': { words: 'onychomycosis', codes: ['B35.1'] },
  'athletes foot': { words: 'tinea pedis', codes: ['B35.3'] },
  'athlete foot': { words: 'tinea pedis', codes: ['B35.3'] },
  ringworm: { words: 'tinea corporis', codes: ['B35.4'] },
  lice: { words: 'pediculosis', codes: ['B85.2', 'B85.0'] },
  'head lice': { words: 'pediculosis capitis', codes: ['B85.0'] },
  pinworm: { words: 'enterobiasis', codes: ['B80'] },
  'bug bite': { words: 'insect bite', codes: ['W57', 'S00.86', 'T14.8'] },
  'torn acl': { words: 'anterior cruciate ligament', codes: ['S83.51'] },
  'acl tear': { words: 'anterior cruciate ligament', codes: ['S83.51'] },
  'torn meniscus': { words: 'tear meniscus', codes: ['S83.2'] },
  'frozen shoulder': { words: 'adhesive capsulitis', codes: ['M75.0'] },
  bunion: { words: 'hallux valgus', codes: ['M20.1'] },
  'flat feet': { words: 'flat foot', codes: ['M21.4'] },
  'heel spur': { words: 'calcaneal spur', codes: ['M77.3'] },
  'ringing in ears': { words: 'tinnitus', codes: ['H93.1'] },
  'ringing ears': { words: 'tinnitus', codes: ['H93.1'] },
  earwax: { words: 'impacted cerumen', codes: ['H61.2'] },
  'ear wax': { words: 'impacted cerumen', codes: ['H61.2'] },
  stye: { words: 'hordeolum', codes: ['H00.01', 'H00.019'] },
  floaters: { words: 'vitreous opacities', codes: ['H43.39', 'H43.393'] },
  'walking pneumonia': { words: 'mycoplasma pneumoniae', codes: ['J15.7'] },
  mono: { words: 'infectious mononucleosis', codes: ['B27.90'] },
  nearsighted: { words: 'myopia', codes: ['H52.1'] },
  farsighted: { words: 'hypermetropia', codes: ['H52.0'] },
  'low iron': { words: 'iron deficiency anemia', codes: ['D50.9'] },
  'fatty liver': { words: 'fatty liver', codes: ['K76.0'] },
  gallstones: { words: 'calculus gallbladder', codes: ['K80.20'] },
  gallstone: { words: 'calculus gallbladder', codes: ['K80.20'] },
  'enlarged heart': { words: 'cardiomegaly', codes: ['I51.7'] },
  'heart murmur': { words: 'cardiac murmur', codes: ['R01.1'] },
  'asthma attack': { words: 'asthma exacerbation', codes: ['J45.901', 'J45.21', 'J45.41'] },
  'panic attack': { words: 'panic disorder', codes: ['F41.0'] },
  'panic attacks': { words: 'panic disorder', codes: ['F41.0'] },
  alcoholism: { words: 'alcohol dependence', codes: ['F10.20'] },
  smoker: { words: 'nicotine dependence cigarettes', codes: ['F17.210'] },
  'pap smear': { words: 'screening malignant neoplasm cervix', codes: ['Z12.4', 'Z01.419'] },
  mammogram: { words: 'screening malignant neoplasm breast', codes: ['Z12.31'] },
  'screening colonoscopy': { words: 'screening malignant neoplasm colon', codes: ['Z12.11'] },
  'water pill': { words: 'diuretic', codes: [] },
  'pins and needles': { words: 'paresthesia', codes: ['R20.2'] },
  'charley horse': { words: 'cramp', codes: ['R25.2'] },
  'shin splints': { words: 'shin', codes: ['S86.89', 'M76.89'] },
  'sun burn': { words: 'sunburn', codes: ['L55.9'] },
  'pink eye': { words: 'conjunctivitis', codes: ['H10.9', 'H10.30', 'H10.33'] },
  'heart attack': { words: 'myocardial infarction', codes: ['I21.9'] },
  'memory loss': { words: 'memory', codes: ['R41.3', 'R41.89'] },
  forgetful: { words: 'memory', codes: ['R41.3', 'R41.89'] },
  'short of breath': { words: 'shortness breath', codes: ['R06.02'] },
  'shortness of breath': { words: 'shortness breath', codes: ['R06.02'] },
  'cant breathe': { words: 'shortness breath', codes: ['R06.02'] },
  'check up': { words: 'general adult medical examination', codes: ['Z00.00', 'Z00.01'] },
  checkup: { words: 'general adult medical examination', codes: ['Z00.00', 'Z00.01'] },
  'sports physical': { words: 'examination participation sport', codes: ['Z02.5'] },
  'school physical': { words: 'examination admission school', codes: ['Z02.0'] },
  'well woman': { words: 'gynecological examination', codes: ['Z01.419', 'Z01.411'] },
  'well baby': { words: 'routine child health examination', codes: ['Z00.129', 'Z00.121'] },
  'weight loss': { words: 'abnormal weight loss', codes: ['R63.4'] },
  'losing weight': { words: 'abnormal weight loss', codes: ['R63.4'] },
  'tired all the time': { words: 'fatigue', codes: ['R53.83'] },
  tired: { words: 'fatigue', codes: ['R53.83'] },
  'dog bite': { words: 'bitten dog', codes: ['W54.0'] },
  'back ache': { words: 'back pain', codes: ['M54.9', 'M54.50'] },
  backache: { words: 'back pain', codes: ['M54.9', 'M54.50'] },
  'neck pain': { words: 'cervicalgia', codes: ['M54.2'] },
  'knee pain': { words: 'pain knee', codes: ['M25.56', 'M25.561', 'M25.562', 'M25.569'] },
  'shoulder pain': { words: 'pain shoulder', codes: ['M25.51', 'M25.511', 'M25.512', 'M25.519'] },
  'hip pain': { words: 'pain hip', codes: ['M25.55', 'M25.551', 'M25.552', 'M25.559'] },
  'sore muscles': { words: 'myalgia', codes: ['M79.1', 'M79.10'] },
  'muscle aches': { words: 'myalgia', codes: ['M79.1', 'M79.10'] },
  'body aches': { words: 'myalgia', codes: ['M79.1', 'M79.10'] },
  'leg cramps': { words: 'cramp leg', codes: ['R25.2'] },
  'urine infection': { words: 'urinary tract infection', codes: ['N39.0'] },
  'water infection': { words: 'urinary tract infection', codes: ['N39.0'] },
  'bloody urine': { words: 'hematuria', codes: ['R31.9'] },
  'blood in urine': { words: 'hematuria', codes: ['R31.9'] },
  'blood in stool': { words: 'melena', codes: ['K92.1', 'K62.5'] },
  'sugar in urine': { words: 'glycosuria', codes: ['R81'] },
  'overactive bladder': { words: 'overactive bladder', codes: ['N32.81'] },
  leaking: { words: 'incontinence', codes: ['R32'] },
  'cant pee': { words: 'retention urine', codes: ['R33.9'] },
  'swollen legs': { words: 'edema', codes: ['R60.0', 'R60.9'] },
  swelling: { words: 'edema', codes: ['R60.9', 'R60.0'] },
  'swollen glands': { words: 'enlarged lymph nodes', codes: ['R59.9', 'R59.0'] },
  'sun spots': { words: 'keratosis', codes: ['L57.0'] },
  'skin tag': { words: 'skin tag', codes: ['L91.8'] },
  mole: { words: 'nevus', codes: ['D22.9'] },
  wart: { words: 'verruca', codes: ['B07.9'] },
  warts: { words: 'verruca', codes: ['B07.9'] },
  pimples: { words: 'acne', codes: ['L70.0', 'L70.9'] },
  dandruff: { words: 'seborrhea capitis', codes: ['L21.0'] },
  eczema: { words: 'dermatitis', codes: ['L30.9', 'L20.9'] },
  'diaper rash': { words: 'diaper dermatitis', codes: ['L22'] },
  'hot flashes': { words: 'menopausal', codes: ['N95.1', 'R23.2'] },
  'missed period': { words: 'amenorrhea', codes: ['N91.2'] },
  'heavy periods': { words: 'menorrhagia', codes: ['N92.0'] },
  'painful periods': { words: 'dysmenorrhea', codes: ['N94.6'] },
  'period cramps': { words: 'dysmenorrhea', codes: ['N94.6'] },
  'birth control': { words: 'contraceptive', codes: ['Z30.9', 'Z30.09', 'Z30.011'] },
  pregnant: { words: 'pregnant state', codes: ['Z33.1', 'Z34.90'] },
  pregnancy: { words: 'pregnancy supervision', codes: ['Z34.90', 'Z33.1'] },
};

const MAX_WORDS = 4;

/**
 * The query with its lay phrases (longest first, whole words) replaced by `lay:<phrase>` tokens
 * (`lay:broken_wrist`), which search-query.ts expands through `LAY_TERMS`.
 */
export function layQuery(query: string): string {
  const words = query
    .toLowerCase()
    .replace(/['\u2019]s\b/g, '')
    .replace(/['\u2019]/g, '')
    .split(/\s+/)
    .filter((w) => w.length > 0);
  const out: string[] = [];
  for (let i = 0; i < words.length;) {
    let taken = 0;
    for (let n = Math.min(MAX_WORDS, words.length - i); n >= 1 && taken === 0; n--) {
      const phrase = words.slice(i, i + n).join(' ');
      if (Object.hasOwn(LAY_TERMS, phrase)) {
        out.push(`lay:${phrase.replace(/ /g, '_')}`);
        taken = n;
      }
    }
    if (taken === 0) out.push(words[i] ?? '');
    i += Math.max(taken, 1);
  }
  return out.join(' ');
}

/** The lay term of a `lay:` token, or undefined. */
export function layTermOf(token: string): LayTerm | undefined {
  if (!token.startsWith('lay:')) return undefined;
  const phrase = token.slice(4).replace(/_/g, ' ');
  return Object.hasOwn(LAY_TERMS, phrase) ? LAY_TERMS[phrase] : undefined;
}
