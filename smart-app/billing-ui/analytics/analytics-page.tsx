import type { Api } from '../api.ts';

/** Revenue-cycle analytics for managers (issue 17, item 6). */
export function AnalyticsPage(props: { api: Api; search: string }) {
  return <h1 data-search={props.search}>Analytics</h1>;
}
