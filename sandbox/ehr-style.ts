/** The EHR pages' stylesheet, served from /ehr/ehr.css so the CSP needs no inline styles. */
export const EHR_CSS = `
body { font-family: system-ui, sans-serif; margin: 0; color: #1b1f24; background: #f5f7fa; }
header.ehr { background: #1d3557; color: #fff; padding: 0.5rem 1rem; display: flex; gap: 1rem; align-items: baseline; }
header.ehr a { color: #fff; }
main { padding: 1rem; }
section.patient { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; margin: 0 0 1rem; padding: 0.5rem 1rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid #e5e8eb; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
a.button, button { display: inline-block; padding: 0.3rem 0.7rem; border-radius: 4px; border: 1px solid #1d3557; background: #1d3557; color: #fff; text-decoration: none; font: inherit; cursor: pointer; }
button.secondary { background: #fff; color: #1d3557; }
form.inline { display: inline; }
.banner { background: #fff; border-bottom: 2px solid #1d3557; padding: 0.5rem 1rem; display: flex; gap: 2rem; flex-wrap: wrap; }
.layout { display: grid; grid-template-columns: minmax(16rem, 1fr) 3fr; gap: 1rem; padding: 1rem; }
iframe.app { width: 100%; height: 85vh; border: 1px solid #d0d7de; border-radius: 6px; background: #fff; }
ul.plain { list-style: none; padding: 0; }
.status-in-progress { color: #8a4b00; font-weight: 600; }
.status-finished { color: #1a7f37; }
`;

/** SMART App Launch 2.2 §2.0.8 "Styling": the file named by smart_style_url. */
export const SMART_STYLE = {
  color_background: '#f5f7fa',
  color_error: '#d1242f',
  color_highlight: '#1d3557',
  color_modal_backdrop: '',
  color_success: '#1a7f37',
  color_text: '#1b1f24',
  dim_border_radius: '6px',
  dim_font_size: '16px',
  dim_spacing_size: '16px',
  font_family_body: 'system-ui, sans-serif',
  font_family_heading: 'system-ui, sans-serif',
} as const;
