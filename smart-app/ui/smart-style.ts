import type { Api } from './api.ts';

/** SMART App Launch 2.2 §2.0.8 style keys, as the app's /api/style answers them (already sanitized). */
export type SmartStyle = Partial<Record<(typeof SMART_STYLE_KEYS)[number], string>>;

export const SMART_STYLE_KEYS = [
  'color_background',
  'color_error',
  'color_highlight',
  'color_modal_backdrop',
  'color_success',
  'color_text',
  'dim_border_radius',
  'dim_font_size',
  'dim_spacing_size',
  'font_family_body',
  'font_family_heading',
] as const;

/** The CSS custom property for a SMART style key: `color_background` → `--smart-color-background`. */
export function smartStyleProperty(key: string): string {
  return `--smart-${key.replace(/_/g, '-')}`;
}

/**
 * Sets the EHR's style as CSS custom properties on `root` (default `<html>`), so app.css can use
 * `var(--smart-color-highlight, #1d3557)`. Unknown keys are ignored; `setProperty` cannot escape
 * its property, and the server has already checked each value's shape.
 */
export function applySmartStyle(
  style: SmartStyle,
  root: HTMLElement = document.documentElement,
): void {
  for (const key of SMART_STYLE_KEYS) {
    const value = style[key];
    if (value) root.style.setProperty(smartStyleProperty(key), value);
  }
}

/** Fetches the session's style from /api/style and applies it; a failure leaves ChartBill's own look. */
export async function loadSmartStyle(api: Api, root?: HTMLElement): Promise<SmartStyle> {
  try {
    const { style } = await api<{ style: SmartStyle }>('/api/style');
    applySmartStyle(style, root);
    return style;
  } catch {
    return {};
  }
}
