// tools/check-no-html.mjs, run as CI runs it: each forbidden sink fails the check, with its place.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const TOOL = resolve(import.meta.dirname, '../../tools/check-no-html.mjs');
const work = mkdtempSync(join(tmpdir(), 'check-no-html-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
function run(files: Record<string, string>) {
  const dir = join(work, `case${n++}`);
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  const r = spawnSync(process.execPath, [TOOL, dir], { encoding: 'utf8', cwd: dir });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const SINKS: [string, string][] = [
  ['innerHTML', 'el.innerHTML = text;'],
  ['outerHTML', 'const s = el.outerHTML;'],
  ['insertAdjacentHTML', "el.insertAdjacentHTML('beforeend', x);"],
  ['document.write', 'document.write(x);'],
  ['document.write', 'document . writeln(x);'],
  ['eval(', 'const v = eval(code);'],
  ['eval(', 'const w = eval (code);'],
  ['new Function(', "const f = new Function('a', body);"],
];

describe('check-no-html', () => {
  it.each(SINKS)('fails on %s (%s)', (sink, line) => {
    const r = run({ 'a/page.ts': `const ok = 1;\n${line}\n` });
    expect(r.status).toBe(1);
    expect(r.out).toContain(`page.ts:2:`);
    expect(r.out).toContain(`${sink} is forbidden`);
  });

  it('looks into .tsx, .js and .html files in nested folders', () => {
    const r = run({
      'x/y/View.tsx': 'const a = <div dangerouslySetInnerHTML={{ __html: s }} />; el.innerHTML = s;\n',
      'x/old.js': 'document.write("x")\n',
      'x/page.html': '<script>eval(location.hash)</script>\n',
    });
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/View\.tsx:1:\d+ {2}innerHTML/);
    expect(r.out).toMatch(/old\.js:1:1 {2}document\.write/);
    expect(r.out).toMatch(/page\.html:1:\d+ {2}eval\(/);
  });

  it('passes clean code, including look-alike names', () => {
    const r = run({
      'c.ts': [
        'el.textContent = text;',
        'const retrieval = medieval(x);',
        'obj.evaluate(x);',
        'el.innerText = x;',
        'function makeFunction() {}',
        'doc.writer.write(x);',
      ].join('\n'),
    });
    expect(r.out).toContain('0 violation(s)');
    expect(r.status).toBe(0);
  });

  it('lists a justified exception instead of failing', () => {
    const r = run({
      'j.ts': '// check-no-html-allow: sanitized by the test fixture\nel.innerHTML = trusted;\n',
    });
    expect(r.status).toBe(0);
    expect(r.out).toContain('allowed');
    expect(r.out).toContain('1 justified exception(s)');
    const bare = run({ 'k.ts': '// check-no-html-allow:\nel.innerHTML = trusted;\n' });
    expect(bare.status).toBe(1);
  });

  it('passes on the repository itself', () => {
    const out = execFileSync(process.execPath, [TOOL], {
      cwd: resolve(import.meta.dirname, '../..'),
      encoding: 'utf8',
    });
    expect(out).toMatch(/0 violation\(s\)/);
  });
});
