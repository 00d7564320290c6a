/**
 * Medicare Code Editor lists (CMS "Definitions of Medicare Code Edits"): the FY2026 lists as JSON
 * (age groups newborn/pediatric/maternity/adult and manifestation codes) and the v37 (FY2020)
 * tab-separated lists, from which only the sex lists are taken: CMS switched the sex-conflict
 * edit off on 2024-10-01, so these are historical and rules should only warn on them.
 */
import { z } from 'zod';
import { formatIcd10cm } from '../code-format.ts';
import type { MceFields } from '../store/stored-release.ts';
import { CodeFileError, eachLine, type TextSource } from './code-file-error.ts';
import { errorMessage } from '../../errors/error-message.ts';

const list = z.array(z.object({ code: z.string() })).default([]);
const mceJson = z.object({
  codes: z.object({
    age_newborn: list,
    age_pediatric: list,
    age_maternity: list,
    age_adult: list,
    manifestation_not_pdx: list,
  }),
});

/** The FY2026 MCE JSON → code → { ageGroup, manifestation }. */
export function parseMceJson(source: TextSource): Record<string, MceFields> {
  let data: unknown;
  try {
    data = JSON.parse(source.text) as unknown;
  } catch (err) {
    throw new CodeFileError(source.name, 0, `not valid JSON (${errorMessage(err)})`);
  }
  const parsed = mceJson.safeParse(data);
  if (!parsed.success)
    throw new CodeFileError(
      source.name,
      0,
      'not the MCE edits JSON layout (codes.age_* / manifestation_not_pdx lists)',
    );
  const out: Record<string, MceFields> = {};
  const set = (rows: { code: string }[], fields: MceFields): void => {
    for (const { code } of rows) {
      const key = formatIcd10cm(code);
      out[key] = { ...out[key], ...fields };
    }
  };
  const { codes } = parsed.data;
  set(codes.age_newborn, { ageGroup: 'newborn' });
  set(codes.age_pediatric, { ageGroup: 'pediatric' });
  set(codes.age_maternity, { ageGroup: 'maternity' });
  set(codes.age_adult, { ageGroup: 'adult' });
  set(codes.manifestation_not_pdx, { manifestation: true });
  return out;
}

const V37_HEADER =
  'MCE_Version\tICD_Version\tMCE_Section\tMCE_Subsection\tMCE_Edit_Type\tICD_Code_Type\tICD_Code\tICD_Desc';

/** The MCE v37 tab-separated lists → code → { sex } (diagnosis codes only). */
export function parseMceV37Sex(source: TextSource): Record<string, MceFields> {
  const out: Record<string, MceFields> = {};
  eachLine(source, (line, n) => {
    if (n === 1) {
      if (line.trim() !== V37_HEADER)
        throw new CodeFileError(
          source.name,
          1,
          'not the MCE simple code edits layout (header MCE_Version, ICD_Version, …)',
        );
      return;
    }
    const cells = line.split('\t');
    if (cells.length !== 8)
      throw new CodeFileError(
        source.name,
        n,
        `${String(cells.length)} columns, 8 expected (truncated line?)`,
      );
    const [, , , , type, codeType, code = ''] = cells;
    if (codeType !== 'D') return;
    if (type === 'Female_Only') out[formatIcd10cm(code)] = { sex: 'female' };
    if (type === 'Male_Only') out[formatIcd10cm(code)] = { sex: 'male' };
  });
  return out;
}
