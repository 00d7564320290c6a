import type { ServiceLine } from '../../src/coding/coding-model.ts';
import { emLevel, officeVisitPatient, type EmDocumentation } from '../../src/edits/em/em-level.ts';

interface Props {
  lines: ServiceLine[];
  onChange: (index: number, doc: EmDocumentation) => void;
}

const LEVELS = {
  problems: ['minimal', 'low', 'moderate', 'high'],
  data: ['minimal', 'limited', 'moderate', 'extensive'],
  risk: ['minimal', 'low', 'moderate', 'high'],
} as const;

/**
 * The office visit's level basis at documentation time (2021 AMA rules): total minutes on the
 * date, or the three MDM elements; shows the level they support and why.
 */
export function EmLevelPanel({ lines, onChange }: Props) {
  const index = lines.findIndex((l) => officeVisitPatient(l.code) && l.code !== '99211');
  const line = lines[index];
  const patient = line ? officeVisitPatient(line.code) : undefined;
  if (!line || !patient) return null;
  const doc = line.emDocumentation ?? {};
  const supported = emLevel(patient, doc);
  const set = (patch: Partial<EmDocumentation>) => onChange(index, { ...doc, ...patch });
  return (
    <section class="em-level" aria-labelledby="em-level-h">
      <h2 id="em-level-h">E/M level for {line.code}</h2>
      <label>
        Total minutes on the date{' '}
        <input
          type="number"
          min={0}
          max={1440}
          value={doc.minutes ?? ''}
          onInput={(e) => {
            const v = (e.target as HTMLInputElement).value;
            set({ minutes: v === '' ? undefined : Number(v) });
          }}
        />
      </label>
      {(Object.keys(LEVELS) as (keyof typeof LEVELS)[]).map((element) => (
        <label key={element}>
          {element === 'problems' ? 'Problems' : element === 'data' ? 'Data' : 'Risk'}{' '}
          <select
            value={doc[element] ?? ''}
            onChange={(e) => {
              const v = (e.target as HTMLSelectElement).value;
              set({ [element]: v === '' ? undefined : v });
            }}
          >
            <option value="">—</option>
            {LEVELS[element].map((level) => (
              <option key={level} value={level}>
                {level}
              </option>
            ))}
          </select>
        </label>
      ))}
      <p class="em-supported" aria-live="polite">
        {supported
          ? `Supports ${supported.code} by ${supported.basis === 'time' ? 'time' : 'MDM'}: ${supported.reason}.`
          : 'Enter the total time, or all three MDM elements, to see the level they support.'}
      </p>
    </section>
  );
}
