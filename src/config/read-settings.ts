import type { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import { HARNESS_PREFIXES, SETTINGS, type Setting, type SettingName } from './settings.ts';

type Out<K extends SettingName> = z.output<(typeof SETTINGS)[K]['type']>;

/** Every setting's value: those with a default always hold one; the others may be absent. */
export type SettingValues = {
  readonly [K in SettingName]: (typeof SETTINGS)[K] extends { default: string }
    ? Out<K>
    : Out<K> | undefined;
};

/** The values, with the settings a mode requires known to be there. */
export type SettingsWith<R extends SettingName> = SettingValues & { readonly [K in R]: Out<K> };

/** Where settings come from: the environment, possibly over a config file (see settings-source.ts). */
export type SettingsSource = Readonly<Record<string, string | undefined>>;

export interface ReadSettingsOptions<R extends SettingName> {
  /** Names the problems in the message: "Worker configuration is invalid". */
  what: string;
  /** Settings this mode cannot run without: each missing one "is required". */
  required?: readonly R[];
  /** Defaults this mode uses instead of the registry's (the sandbox's quieter log level). */
  defaults?: Partial<Record<SettingName, string>>;
}

/**
 * Reads every registered setting from `source`, reporting every problem at once: a
 * `CHARTBILL_*` name that is no setting (with the nearest one, so a typo never falls back to a
 * default silently), an empty value (never 0), a required one that is missing, and each value
 * its type refuses. Pure; returns a frozen object.
 */
export function readSettings<R extends SettingName = never>(
  source: SettingsSource,
  options: ReadSettingsOptions<R>,
): Readonly<SettingsWith<R>> {
  const problems = unknownSettings(source);
  const values: Record<string, unknown> = {};
  const required = new Set<string>(options.required ?? []);
  for (const [name, setting] of Object.entries(SETTINGS) as [SettingName, Setting][]) {
    const fallback = options.defaults?.[name] ?? setting.default;
    const raw = source[name];
    if (raw !== undefined && raw.trim() === '') {
      problems.push(
        `${name} is empty: ${fallback === undefined ? 'give a value or unset it' : `unset it for the default (${fallback}) or give a value`} (${setting.help})`,
      );
      continue;
    }
    const text = raw ?? fallback;
    if (text === undefined) {
      if (required.has(name)) problems.push(`${name} is required: ${setting.help}`);
      continue;
    }
    const parsed = setting.type.safeParse(text);
    if (parsed.success) values[name] = parsed.data;
    else
      problems.push(
        `${name}${raw === undefined ? ` (default ${text})` : ''}: ${parsed.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ` : '') + i.message).join('; ')}`,
      );
  }
  if (problems.length > 0)
    throw new AppError(
      'CONFIG_INVALID',
      `${options.what} configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      { hint: 'Settings: `chartbill start --help` or the README, "Settings".' },
    );
  return Object.freeze(values) as SettingsWith<R>;
}

/** `CHARTBILL_*` names in `source` that are no setting, each with the nearest setting's name. */
export function unknownSettings(source: SettingsSource): string[] {
  const secretNames = clientSecretNames(source.CHARTBILL_EHRS);
  return Object.keys(source)
    .filter(
      (name) =>
        name.startsWith('CHARTBILL_') &&
        source[name] !== undefined &&
        !(name in SETTINGS) &&
        !HARNESS_PREFIXES.some((prefix) => name.startsWith(prefix)) &&
        !secretNames.has(name),
    )
    .map((name) => {
      const near = nearestSetting(name);
      return `${name} is not a ChartBill setting${near ? ` (did you mean ${near}?)` : ''}`;
    });
}

/** The variables `CHARTBILL_EHRS` names as `clientSecretEnv`: the admin's own names, not settings. */
function clientSecretNames(ehrs: string | undefined): Set<string> {
  return new Set(
    [...(ehrs ?? '').matchAll(/"clientSecretEnv"\s*:\s*"([^"]+)"/g)].map((m) => m[1] ?? ''),
  );
}

/** The registered name within a few edits of `name` (a typo), if any. */
function nearestSetting(name: string): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of Object.keys(SETTINGS)) {
    const distance = editDistance(name, candidate);
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  return best && best.distance <= Math.max(3, Math.floor(name.length / 5)) ? best.name : undefined;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, substitute));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}
