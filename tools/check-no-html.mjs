#!/usr/bin/env node
// Fails when our sources use an HTML or code sink: innerHTML, outerHTML, insertAdjacentHTML,
// document.write / writeln, eval(, new Function( (invariant I3: page data is never parsed as HTML
// or evaluated). Scans src/, extension/, content-scripts/ by default, or the folders given.
//
// A use that is truly needed must say why on the same line or the line above:
//   // check-no-html-allow: <reason>
// and is then listed (not failed), so reviewers see every exception.
//
//   node tools/check-no-html.mjs [dir ...]     exit 0 clean, 1 violations, 2 usage error

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const SINKS = [
  { name: 'innerHTML', re: /\binnerHTML\b/g },
  { name: 'outerHTML', re: /\bouterHTML\b/g },
  { name: 'insertAdjacentHTML', re: /\binsertAdjacentHTML\b/g },
  { name: 'document.write', re: /\bdocument\s*\.\s*write(?:ln)?\b/g },
  { name: 'eval(', re: /(?<![\w$.])eval\s*\(/g },
  { name: 'new Function(', re: /\bnew\s+Function\s*\(/g },
];

const EXTENSIONS = /\.(?:[cm]?[jt]sx?|html?|svelte|vue)$/;
const ALLOW = /check-no-html-allow:\s*\S/;
const DEFAULT_DIRS = ['src', 'extension', 'content-scripts'];

function* walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name === 'dist') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) yield* walk(full);
    else if (EXTENSIONS.test(name)) yield full;
  }
}

/** Every sink use in one file's text: { line, column, sink, allowed }. */
export function findSinks(text) {
  const lines = text.split('\n');
  const found = [];
  lines.forEach((line, i) => {
    for (const { name, re } of SINKS) {
      re.lastIndex = 0;
      for (let m = re.exec(line); m !== null; m = re.exec(line)) {
        const allowed = ALLOW.test(line) || (i > 0 && ALLOW.test(lines[i - 1]));
        found.push({ line: i + 1, column: m.index + 1, sink: name, allowed });
      }
    }
  });
  return found;
}

function main(args) {
  const dirs = args.length > 0 ? args : DEFAULT_DIRS;
  let violations = 0;
  let allowed = 0;
  let files = 0;
  for (const dir of dirs) {
    if (!existsSync(dir)) {
      if (args.length > 0) {
        console.error(`check-no-html: no such folder ${dir}`);
        return 2;
      }
      continue;
    }
    for (const file of walk(dir)) {
      files++;
      for (const f of findSinks(readFileSync(file, 'utf8'))) {
        const where = `${relative(process.cwd(), file)}:${f.line}:${f.column}`;
        if (f.allowed) {
          allowed++;
          console.log(`allowed  ${where}  ${f.sink}`);
        } else {
          violations++;
          console.error(
            `${where}  ${f.sink} is forbidden (use textContent / DOM APIs; see docs/architecture.md)`,
          );
        }
      }
    }
  }
  console.log(`check-no-html: ${files} files, ${violations} violation(s), ${allowed} justified exception(s)`);
  return violations > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.exit(main(process.argv.slice(2)));
}
