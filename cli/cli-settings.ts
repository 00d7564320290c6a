import { readSettings } from '../src/config/read-settings.ts';
import { settingsSource } from '../src/config/settings-source.ts';

/**
 * The settings a tool command reads (`CHARTBILL_DATA_DIR`, `CHARTBILL_AUDIT_TOKEN`, …): the
 * environment over `chartbill.config.json`, checked like every mode's (a misspelt name is refused).
 */
export async function cliSettings(configFile?: string) {
  return readSettings(await settingsSource({ configFile }), { what: 'ChartBill' });
}
