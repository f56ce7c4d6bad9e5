// Finds user-visible text written into UI code instead of coming from _locales through t().
//
// Parsed (vite's parseAst, the oxc parser the build itself uses), not grepped, so formatting does
// not hide a string. What counts as user-visible:
//   - JSX text nodes, and string / template literals as JSX children;
//   - string / template literals in JSX attributes a person reads or hears: title, placeholder,
//     aria-label, aria-description, aria-valuetext, aria-roledescription, alt, label;
//   - in DOM code: assignments to .textContent / .innerText / .title / .placeholder / .ariaLabel
//     / .alt / .label, setAttribute('title' | 'aria-label' | …, literal), and object properties
//     `title:` / `text:` / `message:` passed to browser.action.setTitle / setBadgeText or to
//     notifications (badge titles).
// A literal counts only when it has a letter in it (punctuation, numbers, "·" are not words) and
// is not an allowed brand word (offrecord, OTR, Pidgin…). A line carrying `i18n-exempt:` with a
// reason (test-build-only diagnostics) is skipped.

import { parseAst } from 'vite';

export interface Finding {
  file: string;
  line: number;
  text: string;
  where: string;
}

/** Words that are names, the same in every language. */
export const BRAND_WORDS = new Set(['offrecord', 'OTR', 'Pidgin', 'libotr', 'pidgin-otr', 'SMP']);

const READ_ATTRIBUTES = new Set([
  'title',
  'placeholder',
  'aria-label',
  'aria-description',
  'aria-valuetext',
  'aria-roledescription',
  'aria-placeholder',
  'alt',
  'label',
]);
const READ_PROPERTIES = new Set([
  'textContent',
  'innerText',
  'title',
  'placeholder',
  'ariaLabel',
  'alt',
  'label',
]);
const READ_KEYS = new Set(['title', 'text', 'message']);

/** Whether a literal is words a person reads (not a brand, not punctuation or digits). */
export function isWords(text: string): boolean {
  const trimmed = text.replace(/\s+/g, ' ').trim();
  if (!/\p{L}/u.test(trimmed)) return false;
  // An example address is the same in every language.
  if (/^https?:\/\/\S+$/.test(trimmed)) return false;
  const words = trimmed.split(/[\s:·,.()/—–-]+/).filter((w) => /\p{L}/u.test(w));
  return !words.every((w) => BRAND_WORDS.has(w));
}

type Node = { type: string; start: number; end: number; [k: string]: unknown };

function isNode(x: unknown): x is Node {
  return typeof x === 'object' && x !== null && typeof (x as { type?: unknown }).type === 'string';
}

/** The words in a string literal or template literal's fixed parts; null for anything else. */
function literalText(n: unknown): string | null {
  if (!isNode(n)) return null;
  if (n.type === 'Literal' && typeof n.value === 'string') return n.value;
  if (n.type === 'TemplateLiteral') {
    const quasis = n.quasis as { value: { cooked: string | null; raw: string } }[];
    return quasis.map((q) => q.value.cooked ?? q.value.raw).join(' ');
  }
  if (n.type === 'ConditionalExpression') {
    const a = literalText(n.consequent);
    const b = literalText(n.alternate);
    if (a !== null || b !== null) return `${a ?? ''} ${b ?? ''}`;
  }
  // `cond && 'words'`, `name || 'words'`: the literal is what shows. A comparison (`a === 'x'`)
  // shows a boolean, never its operands.
  if (n.type === 'LogicalExpression') return literalText(n.right);
  if (n.type === 'BinaryExpression' && n.operator === '+') {
    const a = literalText(n.left);
    const b = literalText(n.right);
    if (a !== null || b !== null) return `${a ?? ''} ${b ?? ''}`;
  }
  return null;
}

function propName(n: unknown): string | null {
  if (!isNode(n)) return null;
  if (n.type === 'Identifier' || n.type === 'JSXIdentifier') return n.name as string;
  if (n.type === 'Literal' && typeof n.value === 'string') return n.value;
  return null;
}

/**
 * Prose: two or more words separated by spaces, nothing that only code has in it. Checked on
 * every string literal of non-JSX UI code (content scripts, background): the reasons, step texts
 * and labels kept in tables there end up on screen.
 */
export function isProse(text: string): boolean {
  const trimmed = text.trim();
  if (/[{}=;<>[\]#$\\|`]/.test(trimmed)) return false;
  if (/^[.:?@/*]/.test(trimmed)) return false;
  // A CSS font list ends with a generic family: `ui-monospace, "DejaVu Sans Mono", monospace`.
  if (/,\s*(monospace|sans-serif|serif|system-ui|cursive|fantasy)$/.test(trimmed)) return false;
  // CSS selectors: `.class`, `tag.class`, custom elements (`converse-chat-content`).
  const sentence = /\p{Lu}/u.test(trimmed) || /[.:!?…]$/.test(trimmed);
  if (
    trimmed.split(/\s+/).some((w) => /\w\.\w|^\./.test(w) || (!sentence && /^[a-z]+(-[a-z]+){2,}$/.test(w)))
  ) {
    return false;
  }
  const words = trimmed.split(/\s+/).filter((w) => /^[\p{L}'’(),.:!?…-]*\p{L}[\p{L}'’(),.:!?…-]*$/u.test(w));
  return words.length >= 2 && words.length * 2 >= trimmed.split(/\s+/).length && isWords(trimmed);
}

/** Calls whose string arguments are for developers, never shown as UI text. */
const DEVELOPER_CALLEES =
  /^(Error|TypeError|RangeError|SyntaxError|ProfileError|PickError|[A-Z][A-Za-z]*Error|log|warn|error|info|debug|assert|querySelector|querySelectorAll|matches|closest)$/;

export function findHardCodedStrings(
  file: string,
  source: string,
  opts: { prose?: boolean } = {},
): Finding[] {
  const lang = file.endsWith('.tsx') ? 'tsx' : 'ts';
  const ast = parseAst(source, { lang }) as unknown as Node;
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (pos: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] as number) <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const lines = source.split('\n');
  const exempt = (line: number): boolean =>
    /i18n-exempt:\s*\S/.test(lines[line - 1] ?? '') || /i18n-exempt:\s*\S/.test(lines[line - 2] ?? '');
  const out: Finding[] = [];
  const report = (node: Node, text: string, where: string): void => {
    if (!isWords(text)) return;
    const line = lineOf(node.start);
    if (exempt(line)) return;
    const shown = text.replace(/\s+/g, ' ').trim().slice(0, 80);
    if (out.some((f) => f.line === line && (f.text.includes(shown) || shown.includes(f.text)))) return;
    out.push({ file, line, text: shown, where });
  };

  const visit = (n: Node, parent: Node | null): void => {
    if (
      opts.prose &&
      n.type === 'Literal' &&
      typeof n.value === 'string' &&
      isProse(n.value) &&
      proseCounts(parent)
    ) {
      report(n, n.value, 'prose literal');
    }
    switch (n.type) {
      case 'JSXText':
        report(n, n.value as string, 'JSX text');
        break;
      case 'JSXExpressionContainer': {
        if (parent?.type === 'JSXElement' || parent?.type === 'JSXFragment') {
          const text = literalText(n.expression);
          if (text !== null) report(n, text, 'JSX child');
        }
        break;
      }
      case 'JSXAttribute': {
        const name = propName(n.name);
        if (name && READ_ATTRIBUTES.has(name)) {
          const value = n.value as Node | null;
          const text =
            value?.type === 'JSXExpressionContainer' ? literalText(value.expression) : literalText(value);
          if (text !== null) report(n, text, `${name}=`);
        }
        break;
      }
      case 'AssignmentExpression': {
        const left = n.left as Node;
        if (left.type === 'MemberExpression' && !left.computed) {
          const name = propName(left.property);
          const text = literalText(n.right);
          // A <style> element's textContent is CSS, not words.
          const target = propName(left.object) ?? '';
          if (name && READ_PROPERTIES.has(name) && text !== null && !/style|css/i.test(target)) {
            report(n, text, `.${name} =`);
          }
        }
        break;
      }
      case 'CallExpression': {
        const callee = n.callee as Node;
        const args = n.arguments as Node[];
        const method = callee.type === 'MemberExpression' ? propName(callee.property) : null;
        if (method === 'setAttribute' && args.length >= 2) {
          const attr = literalText(args[0]);
          const text = literalText(args[1]);
          if (attr && READ_ATTRIBUTES.has(attr) && text !== null) report(n, text, `setAttribute(${attr})`);
        }
        if (method && /^(setTitle|setBadgeText|create|update)$/.test(method)) {
          for (const arg of args) {
            if (arg.type !== 'ObjectExpression') continue;
            for (const p of arg.properties as Node[]) {
              const key = p.type === 'Property' ? propName(p.key) : null;
              const text = p.type === 'Property' ? literalText(p.value) : null;
              if (key && READ_KEYS.has(key) && text !== null) report(p, text, `${method}({${key}})`);
            }
          }
        }
        break;
      }
    }
    stack.push(n);
    for (const [key, value] of Object.entries(n)) {
      if (key === 'type' || key === 'start' || key === 'end') continue;
      if (Array.isArray(value)) {
        for (const child of value) if (isNode(child)) walk(child, n);
      } else if (isNode(value)) {
        walk(value, n);
      }
    }
    stack.pop();
  };
  /** Whether a prose literal under `parent` can reach the screen (not a developer message or a key). */
  function proseCounts(parent: Node | null): boolean {
    if (!parent) return true;
    if (parent.type === 'ImportDeclaration' || parent.type === 'ExportNamedDeclaration') return false;
    if (parent.type === 'ExportAllDeclaration' || parent.type === 'ImportExpression') return false;
    if (parent.type === 'BinaryExpression' && parent.operator !== '+') return false;
    if (parent.type === 'SwitchCase') return false;
    if (parent.type === 'TSLiteralType') return false;
    if (parent.type === 'Property' && parent.key === current) return false;
    if (parent.type === 'NewExpression' || parent.type === 'CallExpression') {
      const callee = parent.callee as Node;
      const name = callee.type === 'MemberExpression' ? propName(callee.property) : propName(callee);
      if (name && DEVELOPER_CALLEES.test(name)) return false;
    }
    // JSX is checked by the rules below, attribute by attribute.
    if (parent.type === 'JSXAttribute' || parent.type === 'JSXExpressionContainer') return false;
    if (stack.some((a) => a.type === 'JSXAttribute' || a.type === 'JSXExpressionContainer')) return false;
    return true;
  }
  let current: Node | null = null;
  const stack: Node[] = [];
  const walk = (n: Node, parent: Node | null): void => {
    current = n;
    visit(n, parent);
  };
  walk(ast, null);
  return out;
}
