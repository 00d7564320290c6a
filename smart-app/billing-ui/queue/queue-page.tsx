import type { BillingMe } from '../../../src/billing-office/billing-api.ts';
import type { Api } from '../api.ts';

/** The work queue (issue 17, item 2). */
export function QueuePage(props: { api: Api; me: BillingMe; search: string }) {
  return <h1 data-search={props.search}>Work queue</h1>;
}
