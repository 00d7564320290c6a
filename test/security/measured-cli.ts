/**
 * Runs one `chartbill` command like bin/chartbill.js does, then writes the process's peak memory
 * (resident set, in bytes) to the file named by CHARTBILL_TEST_RSS_FILE, so a test can check that
 * a hostile input was refused without the memory it would have cost. Started by the tests with
 * `node --max-old-space-size=… --import tsx`, so a regression that inflates a bomb crashes.
 */
import { writeFileSync } from 'node:fs';
import { main } from '../../cli/main.ts';

const rssFile = process.env.CHARTBILL_TEST_RSS_FILE;
process.exitCode = await main(process.argv.slice(2));
// maxRSS is in kilobytes (getrusage).
if (rssFile) writeFileSync(rssFile, String(process.resourceUsage().maxRSS * 1024));
