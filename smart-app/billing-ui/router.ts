import { useEffect, useState } from 'preact/hooks';

/** Where the workspace is: its path and query (the pages read their filters from the query). */
export interface Where {
  pathname: string;
  search: string;
}

const EVENT = 'chartbill:navigate';

function here(): Where {
  return { pathname: location.pathname, search: location.search };
}

/** Goes to a workspace address without reloading (history entry, so Back works). */
export function navigate(href: string, replace = false): void {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  window.dispatchEvent(new Event(EVENT));
}

/** The current address, updated on `navigate` and on Back / Forward. */
export function useWhere(): Where {
  const [where, setWhere] = useState(here);
  useEffect(() => {
    const update = () => setWhere(here());
    window.addEventListener('popstate', update);
    window.addEventListener(EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(EVENT, update);
    };
  }, []);
  return where;
}

/**
 * A click on a workspace link: handled in the page unless the user asked for a new tab or window
 * (modifier keys, middle button), so links stay real links.
 */
export function followLink(event: MouseEvent, href: string): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(href);
}
