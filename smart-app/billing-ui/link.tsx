import type { ComponentChildren } from 'preact';
import { followLink } from './router.ts';

/** A real `<a href>` that moves within the workspace without reloading it. */
export function Link(props: {
  href: string;
  children: ComponentChildren;
  class?: string;
  'aria-current'?: 'page' | undefined;
  'aria-label'?: string;
}) {
  const { href, children, ...rest } = props;
  return (
    <a href={href} onClick={(e) => followLink(e, href)} {...rest}>
      {children}
    </a>
  );
}
