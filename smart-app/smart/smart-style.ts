import { z } from 'zod';

/**
 * SMART App Launch 2.2 §2.0.8 ("Styling"): the EHR's `smart_style_url` names a JSON file of colours,
 * dimensions and fonts so an embedded app can look like the EHR around it. ChartBill fetches it on
 * the server at the callback and hands the browser only values that pass these patterns: no
 * `url(…)`, no `;`, no braces, so a style value can never load anything or escape its property.
 */
const COLOR = /^(#[0-9a-fA-F]{3,8}|(rgb|rgba|hsl|hsla)\([0-9.,%\s]{1,60}\)|[a-zA-Z]{3,30})$/;
const DIMENSION = /^\d{1,3}(\.\d{1,3})?(px|em|rem|%)?$/;
const FONT = /^[A-Za-z0-9 ,'"-]{1,200}$/;

const KINDS = {
  color_background: COLOR,
  color_error: COLOR,
  color_highlight: COLOR,
  color_modal_backdrop: COLOR,
  color_success: COLOR,
  color_text: COLOR,
  dim_border_radius: DIMENSION,
  dim_font_size: DIMENSION,
  dim_spacing_size: DIMENSION,
  font_family_body: FONT,
  font_family_heading: FONT,
} as const;

export type SmartStyleKey = keyof typeof KINDS;
export type SmartStyle = Partial<Record<SmartStyleKey, string>>;

const MAX_BYTES = 32 * 1024;

/** Keeps the known keys whose values are safe CSS; bare numbers in dimensions become pixels. */
export function sanitizeSmartStyle(input: unknown): SmartStyle {
  const parsed = z.record(z.string(), z.unknown()).safeParse(input);
  if (!parsed.success) return {};
  const style: SmartStyle = {};
  for (const [key, pattern] of Object.entries(KINDS) as [SmartStyleKey, RegExp][]) {
    const value = parsed.data[key];
    const text =
      typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
    if (!pattern.test(text)) continue;
    style[key] = pattern === DIMENSION && /\d$/.test(text) ? `${text}px` : text;
  }
  return style;
}

/**
 * Fetches and sanitizes the style file; an empty style when there is none or it fails (the app
 * then keeps its own look). Never throws: styling must not stop a launch.
 */
export async function fetchSmartStyle(
  url: string | undefined,
  fetchFn: typeof fetch,
  timeoutMs = 3000,
): Promise<SmartStyle> {
  if (!url || !/^https?:\/\//.test(url)) return {};
  try {
    const res = await fetchFn(url, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = res.ok ? await res.text() : '';
    if (text.length === 0 || text.length > MAX_BYTES) return {};
    return sanitizeSmartStyle(JSON.parse(text));
  } catch {
    return {};
  }
}
