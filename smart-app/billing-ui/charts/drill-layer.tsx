import type { ComponentChildren } from 'preact';
import { followLink } from '../router.ts';
import { drillHref } from './chart-frame.tsx';

/** One clickable, focusable area over a bar or point: a link to the claims behind it. */
export interface DrillArea {
  key: string;
  /** What the link says to a screen reader: the bar's label, value and where it leads. */
  name: string;
  drill: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The picture (`role="img"`, named by its title and desc) with a transparent layer of links laid
 * over it in the same coordinates. The links live outside the image because an image's children
 * are presentational (WAI-ARIA `img`): focusable bars inside it would be hidden from assistive
 * technology (axe: nested-interactive). Tab reaches each bar; Enter or a click opens its claims.
 */
export function DrillPlot(props: {
  width: number;
  height: number;
  ids: { title: string; desc: string };
  title: string;
  desc: string;
  areas: DrillArea[];
  children: ComponentChildren;
}) {
  const viewBox = `0 0 ${props.width} ${props.height}`;
  return (
    <div class="plot">
      <svg
        role="img"
        viewBox={viewBox}
        aria-labelledby={`${props.ids.title} ${props.ids.desc}`}
        focusable="false"
      >
        <title id={props.ids.title}>{props.title}</title>
        <desc id={props.ids.desc}>{props.desc}</desc>
        {props.children}
      </svg>
      {props.areas.length > 0 && (
        <svg
          class="hit"
          viewBox={viewBox}
          role="group"
          aria-label={`${props.title}: open the claims behind a bar`}
        >
          {props.areas.map((a) => {
            const href = drillHref(a.drill);
            return (
              <a key={a.key} href={href} aria-label={a.name} onClick={(e) => followLink(e, href)}>
                <rect
                  x={a.x}
                  y={a.y}
                  width={Math.max(a.width, 6)}
                  height={Math.max(a.height, 6)}
                  fill="transparent"
                />
              </a>
            );
          })}
        </svg>
      )}
    </div>
  );
}
