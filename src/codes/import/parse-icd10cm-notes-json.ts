/**
 * The FY2026 ICD-10-CM Tabular instructional notes as JSON (derived from CDC's
 * icd10cm_tabular_2026.xml; all 22 chapters): `{ source, codes: { "E11": { excludes1: [...],
 * inclusionTerm: [...], codeFirst: [...], useAdditionalCode: [...], excludes2: [...] } } }`.
 * Code references are parsed from the note text (the authority), not from `_code_refs`.
 */
import { z } from 'zod';
import { formatIcd10cm } from '../code-format.ts';
import { codeRefsOfAll } from '../code-refs.ts';
import type { NoteFields } from '../store/stored-release.ts';
import { CodeFileError, type TextSource } from './code-file-error.ts';
import { errorMessage } from '../../errors/error-message.ts';

const notesOf = z.array(z.string()).optional();
const notesFile = z.object({
  source: z.string().optional(),
  description: z.string().optional(),
  codes: z.record(
    z.string(),
    z.object({
      excludes1: notesOf,
      excludes2: notesOf,
      codeFirst: notesOf,
      useAdditionalCode: notesOf,
      inclusionTerm: notesOf,
    }),
  ),
});

export interface NotesJson {
  /** The fiscal year named in the file (`2026`), if any. */
  version: string | undefined;
  notes: Record<string, NoteFields>;
}

function parseJson(source: TextSource): unknown {
  try {
    return JSON.parse(source.text) as unknown;
  } catch (err) {
    const position = /position (\d+)/.exec(String(err))?.[1];
    const line = position ? source.text.slice(0, Number(position)).split('\n').length : 0;
    throw new CodeFileError(source.name, line, `not valid JSON (${errorMessage(err)})`);
  }
}

/** Parses the notes JSON; throws CodeFileError when it is empty, not JSON or not this layout. */
export function parseIcd10cmNotesJson(source: TextSource): NotesJson {
  if (source.text.trim() === '') throw new CodeFileError(source.name, 0, 'the file is empty');
  const parsed = notesFile.safeParse(parseJson(source));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CodeFileError(
      source.name,
      0,
      `not the ICD-10-CM notes JSON layout (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''})`,
    );
  }
  const notes: Record<string, NoteFields> = {};
  for (const [key, value] of Object.entries(parsed.data.codes)) {
    const fields: NoteFields = {};
    const put = (
      field: 'excludes1' | 'excludes2' | 'codeFirst' | 'useAdditional',
      texts: string[] | undefined,
    ): void => {
      const refs = codeRefsOfAll(texts ?? []);
      if (refs.length) fields[field] = refs;
    };
    put('excludes1', value.excludes1);
    put('excludes2', value.excludes2);
    put('codeFirst', value.codeFirst);
    put('useAdditional', value.useAdditionalCode);
    if (value.inclusionTerm?.length) fields.inclusionTerms = value.inclusionTerm;
    if (Object.keys(fields).length) notes[formatIcd10cm(key)] = fields;
  }
  const version = /FY\s?(\d{4})/.exec(
    `${parsed.data.source ?? ''} ${parsed.data.description ?? ''}`,
  )?.[1];
  return { version, notes };
}
