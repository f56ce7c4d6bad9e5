// The design tokens of extension/shared/tokens.css for our UI inside the page's closed shadow
// roots (the in-page cover, notice, "Go private" button, collapsed-row placeholder and the element
// picker's bar). A page stylesheet cannot reach into those roots, and tokens.css cannot either: the
// values are declared here on every element of the shadow tree (`*` in a shadow root's own
// stylesheet matches only that tree), so nothing the page sets on the host or the document
// (custom properties inherit) reaches them. Light, and dark from prefers-color-scheme, as tokens.css.
// test/unit/ui/tokens.test.ts fails when these differ from tokens.css in any token.

/** tokens.css's :root (light), without the `--or-` prefix. */
export const LIGHT_TOKENS: Readonly<Record<string, string>> = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", sans-serif',
  'font-mono': 'ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace',
  'text-xs': '12px',
  'text-sm': '13px',
  'text-md': '14px',
  'text-lg': '16px',
  'text-xl': '20px',
  'text-2xl': '24px',
  leading: '1.45',
  'weight-strong': '600',
  'space-1': '4px',
  'space-2': '8px',
  'space-3': '12px',
  'space-4': '16px',
  'space-5': '24px',
  'space-6': '32px',
  'radius-sm': '4px',
  'radius-md': '8px',
  'radius-lg': '12px',
  'radius-pill': '999px',
  shadow: '0 1px 2px #0000001f, 0 2px 8px #00000014',
  bg: '#ffffff',
  surface: '#f6f7f9',
  'surface-2': '#eceef2',
  text: '#1b1f24',
  'text-muted': '#57606a',
  line: '#d8dde3',
  border: '#7d8590',
  accent: '#0b57d0',
  'on-accent': '#ffffff',
  focus: '#0b57d0',
  danger: '#b3261e',
  'danger-bg': '#fdecea',
  'on-status': '#ffffff',
  'not-private': '#b3261e',
  'not-private-bg': '#fdecea',
  unverified: '#8a5300',
  'unverified-bg': '#fff4e0',
  private: '#146c2e',
  'private-bg': '#e6f4ea',
  finished: '#4b5563',
  'finished-bg': '#eef0f3',
  attention: '#6a3fc8',
  'attention-bg': '#f1ebfd',
};

/** tokens.css's prefers-color-scheme: dark block: the tokens dark changes. */
export const DARK_TOKENS: Readonly<Record<string, string>> = {
  shadow: '0 1px 2px #00000066, 0 2px 8px #0000004d',
  bg: '#15181c',
  surface: '#1e2227',
  'surface-2': '#272c33',
  text: '#e6e8eb',
  'text-muted': '#a4adb8',
  line: '#30363d',
  border: '#6e7681',
  accent: '#8ab4f8',
  'on-accent': '#0b1d3a',
  focus: '#8ab4f8',
  danger: '#ff8a80',
  'danger-bg': '#3a1d1b',
  'on-status': '#15181c',
  'not-private': '#ff8a80',
  'not-private-bg': '#3a1d1b',
  unverified: '#f5c15c',
  'unverified-bg': '#3a2c12',
  private: '#6fdc8c',
  'private-bg': '#15301d',
  finished: '#b8c0cc',
  'finished-bg': '#2a2f36',
  attention: '#c4a7ff',
  'attention-bg': '#2c2340',
};

function declare(tokens: Readonly<Record<string, string>>, names: readonly string[] | null): string {
  return Object.entries(tokens)
    .filter(([name]) => names === null || names.includes(name))
    .map(([name, value]) => `--or-${name}:${value};`)
    .join('');
}

/**
 * The stylesheet text that puts the tokens (all, or only `names`, without `--or-`) on every
 * element of a shadow tree, light and dark.
 */
export function shadowTokensCss(names: readonly string[] | null = null): string {
  return `*{${declare(LIGHT_TOKENS, names)}}@media (prefers-color-scheme: dark){*{${declare(DARK_TOKENS, names)}}}`;
}
