import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import { errorMessage } from '../errors/error-message.ts';
import type { SettingsSource } from './read-settings.ts';
import { HARNESS_PREFIXES, SETTINGS, type Setting } from './settings.ts';

/** The config file read from the working directory when `--config` does not name one. */
export const DEFAULT_CONFIG_FILE = 'chartbill.config.json';

const fileSchema = z.record(
  z.string(),
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.array(z.unknown()),
    z.record(z.string(), z.unknown()),
  ]),
);

/**
 * The process's environment: the one place product code reads `process.env` (settings are read
 * through `readSettings`, so each is declared, typed and documented once).
 */
export function processEnvironment(): SettingsSource {
  return process.env;
}

export interface SettingsSourceOptions {
  /** `--config FILE`: must exist. Absent: `chartbill.config.json` in `cwd`, when there is one. */
  configFile?: string | undefined;
  env?: SettingsSource;
  cwd?: string;
}

/**
 * The settings ChartBill runs with: the environment over a config file. The file is a JSON object
 * of the same `CHARTBILL_*` names (numbers and booleans as themselves, `CHARTBILL_EHRS` as an
 * array); secrets are refused there (they come from the environment or the files settings name).
 */
export async function settingsSource(options: SettingsSourceOptions = {}): Promise<SettingsSource> {
  const env = options.env ?? processEnvironment();
  const path = resolve(options.cwd ?? process.cwd(), options.configFile ?? DEFAULT_CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (options.configFile === undefined && (err as NodeJS.ErrnoException).code === 'ENOENT')
      return env;
    throw new AppError(
      'CONFIG_INVALID',
      `Cannot read the config file ${path}: ${errorMessage(err)}`,
    );
  }
  return { ...configFileSettings(text, path), ...definedOnly(env) };
}

/** A config file's settings as environment text, every problem reported at once. */
export function configFileSettings(text: string, path: string): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new AppError(
      'CONFIG_INVALID',
      `The config file ${path} is not JSON: ${errorMessage(err)}`,
    );
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success)
    throw new AppError(
      'CONFIG_INVALID',
      `The config file ${path} must be a JSON object of CHARTBILL_* settings (strings, numbers, booleans, or JSON for CHARTBILL_EHRS).`,
    );
  const problems: string[] = [];
  const settings: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed.data)) {
    const setting = (SETTINGS as Record<string, Setting | undefined>)[name];
    if (!setting && !HARNESS_PREFIXES.some((p) => name.startsWith(p)))
      problems.push(`${name} is not a ChartBill setting`);
    else if (setting?.secret)
      problems.push(`${name} is a secret: set it in the environment, not in a file`);
    else settings[name] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  if (problems.length > 0)
    throw new AppError(
      'CONFIG_INVALID',
      `The config file ${path} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  return settings;
}

function definedOnly(env: SettingsSource): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
