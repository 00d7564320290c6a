/**
 * The billed office visit level against what the documentation supports (2021 AMA E/M rules,
 * `em/em-level.ts`). A visit billed above the documented level is a warning: the clinician may
 * have documented more than the panel was told, but an auditor would down-code it.
 */
import type { Finding } from '../../coding/coding-model.ts';
import type { EditRule } from '../edit-rule.ts';
import { emLevel, officeVisitPatient } from '../em/em-level.ts';

export const emLevelAboveDocumented: EditRule = ({ coding }) =>
  coding.lines.flatMap((line, index): Finding[] => {
    const patient = officeVisitPatient(line.code);
    const doc = line.emDocumentation;
    if (!patient || !doc || line.code === '99211') return [];
    const supported = emLevel(patient, doc);
    if (supported && Number(line.code) <= Number(supported.code)) return [];
    return [
      {
        rule: 'em-level-above-documented',
        severity: 'warning',
        message: supported
          ? `${line.code} is billed, but the documentation supports ${supported.code} (${supported.reason}).`
          : `${line.code} is billed, but the documented time and MDM support no ${patient === 'new' ? 'new' : 'established'} patient office visit level.`,
        fix: supported
          ? `Bill ${supported.code}, or document the time or the MDM elements that support ${line.code}.`
          : 'Document the total time on the date, or all three MDM elements (problems, data, risk).',
        target: { kind: 'line', index },
        suggestions: supported ? [supported.code] : [],
      },
    ];
  });
