/** Putting a line into compose boxes of the kinds real messengers use, and sending it their way. */
import { Window } from 'happy-dom';
import { afterEach, describe, expect, it } from 'vitest';
import {
  boxKind,
  boxText,
  ComposeError,
  checkLine,
  composeAndSend,
  pressEnter,
  triggerSend,
} from '../../../content-scripts/sites/compose.js';

const windows: Window[] = [];
afterEach(async () => {
  for (const w of windows.splice(0)) await w.happyDOM.close();
});

function page(body: string, userAgent?: string): Document {
  const window = new Window({
    url: 'http://127.0.0.1:9000/',
    ...(userAgent ? { settings: { navigator: { userAgent } } } : {}),
  });
  windows.push(window);
  window.document.body.innerHTML = body; // test page setup only
  return window.document as unknown as Document;
}

function el<T extends Element = HTMLElement>(doc: Document, sel: string): T {
  const found = doc.querySelector(sel);
  if (!found) throw new Error(`no ${sel}`);
  return found as T;
}

const FAST = { waitMs: 100, pollMs: 5 };

describe('compose: textarea and input', () => {
  it('sets the value through the native setter, fires input, sends with Enter, taken when emptied', async () => {
    const doc = page('<form><textarea id="box"></textarea></form><ul id="out"></ul>');
    const box = el<HTMLTextAreaElement>(doc, '#box');
    const seen: string[] = [];
    // A framework-style binding: keeps its own state from input events, sends on Enter keydown.
    let state = '';
    box.addEventListener('input', (e) => {
      state = (e.target as HTMLTextAreaElement).value;
      seen.push(`input:${(e as InputEvent).inputType}`);
    });
    box.addEventListener('keydown', (e) => {
      const k = e as KeyboardEvent;
      seen.push(`keydown:${k.key}:${k.keyCode}`);
      if (k.key === 'Enter' && state) {
        k.preventDefault();
        el(doc, '#out').append(Object.assign(doc.createElement('li'), { textContent: state }));
        box.value = '';
        state = '';
      }
    });
    box.addEventListener('keypress', () => seen.push('keypress'));
    box.addEventListener('keyup', () => seen.push('keyup'));
    expect(await composeAndSend(doc, box, '?OTR:AAMDabc.', 'enter', FAST)).toBe(true);
    expect(el(doc, '#out').textContent).toBe('?OTR:AAMDabc.');
    // keydown was cancelled by the site: no keypress, as with a real keyboard.
    expect(seen).toEqual(['input:insertText', 'keydown:Enter:13', 'keyup']);
  });

  it('an <input type=text> with a send button', async () => {
    const doc = page('<input id="box" type="text"><button id="go">Send</button><p id="sent"></p>');
    const box = el<HTMLInputElement>(doc, '#box');
    let events = 0;
    box.addEventListener('input', () => events++);
    el(doc, '#go').addEventListener('click', () => {
      el(doc, '#sent').textContent = box.value;
      box.value = '';
    });
    expect(await composeAndSend(doc, box, 'line one', { button: '#go' }, FAST)).toBe(true);
    expect(el(doc, '#sent').textContent).toBe('line one');
    expect(events).toBe(1);
  });

  it('an <input> in a form with no key handler: Enter submits the form, as the browser does', async () => {
    const doc = page(
      '<form id="f"><input id="box" name="line"><button>Send</button></form><ol id="log"></ol>',
    );
    const box = el<HTMLInputElement>(doc, '#box');
    el(doc, '#f').addEventListener('submit', (e) => {
      e.preventDefault();
      el(doc, '#log').append(Object.assign(doc.createElement('li'), { textContent: box.value }));
      box.value = '';
    });
    expect(await composeAndSend(doc, box, '?OTR:AAMDform.', 'enter', FAST)).toBe(true);
    expect(el(doc, '#log').textContent).toBe('?OTR:AAMDform.');
    // A site that handles Enter itself (prevents the key): no second send through the form.
    let submits = 0;
    el(doc, '#f').addEventListener('submit', () => submits++);
    box.addEventListener('keydown', (e) => {
      e.preventDefault();
      box.value = '';
    });
    expect(await composeAndSend(doc, box, 'again', 'enter', FAST)).toBe(true);
    expect(submits).toBe(0);
  });

  it('not taken (the site ignores Enter): false, and our text is removed again', async () => {
    const doc = page('<textarea id="box"></textarea>');
    const box = el<HTMLTextAreaElement>(doc, '#box');
    expect(await composeAndSend(doc, box, 'hello', 'enter', FAST)).toBe(false);
    expect(box.value).toBe('');
    // ... so the retry is not refused as a draft.
    expect(await composeAndSend(doc, box, 'hello', 'enter', FAST)).toBe(false);
  });

  it('taken a little later (the site empties the box asynchronously)', async () => {
    const doc = page('<textarea id="box"></textarea>');
    const box = el<HTMLTextAreaElement>(doc, '#box');
    box.addEventListener('keydown', () => {
      setTimeout(() => {
        box.value = '';
      }, 30);
    });
    expect(await composeAndSend(doc, box, 'later', 'enter', { waitMs: 500, pollMs: 5 })).toBe(true);
  });

  it("never overwrites the user's draft", async () => {
    const doc = page('<textarea id="box"></textarea>');
    const box = el<HTMLTextAreaElement>(doc, '#box');
    box.value = 'half a sentence';
    await expect(composeAndSend(doc, box, 'hello', 'enter', FAST)).rejects.toThrow(/draft/);
    expect(box.value).toBe('half a sentence');
  });

  it('a leftover of our own line is sent, not refused', async () => {
    const doc = page('<textarea id="box"></textarea>');
    const box = el<HTMLTextAreaElement>(doc, '#box');
    box.value = 'same line';
    box.addEventListener('keydown', () => {
      box.value = '';
    });
    expect(await composeAndSend(doc, box, 'same line', 'enter', FAST)).toBe(true);
  });
});

describe('compose: contenteditable editors', () => {
  it('without execCommand: beforeinput then a text node and input; Enter sends', async () => {
    const doc = page(
      '<div id="ed" contenteditable="true" role="textbox"><p><br></p></div><ol id="log"></ol>',
    );
    const ed = el(doc, '#ed');
    const events: string[] = [];
    ed.addEventListener('beforeinput', (e) => events.push(`beforeinput:${(e as InputEvent).data}`));
    ed.addEventListener('input', () => events.push('input'));
    ed.addEventListener('keydown', (e) => {
      if ((e as KeyboardEvent).key !== 'Enter') return;
      e.preventDefault();
      el(doc, '#log').append(Object.assign(doc.createElement('li'), { textContent: ed.textContent }));
      ed.replaceChildren();
    });
    expect(await composeAndSend(doc, ed, '?OTR,1,2,abc,', 'enter', FAST)).toBe(true);
    expect(events).toEqual(['beforeinput:?OTR,1,2,abc,', 'input']);
    expect(el(doc, '#log').textContent).toBe('?OTR,1,2,abc,');
  });

  it('an editor that prevents beforeinput and inserts the text itself (Slate/Lexical style)', async () => {
    const doc = page(
      '<div id="ed" contenteditable="true"></div><button class="send">Send</button><p id="sent"></p>',
    );
    const ed = el(doc, '#ed');
    let model = '';
    let inputs = 0;
    ed.addEventListener('beforeinput', (e) => {
      const ie = e as InputEvent;
      if (ie.inputType !== 'insertText') return;
      e.preventDefault();
      model = ie.data ?? '';
      // The framework re-renders from its model a moment later.
      setTimeout(() => {
        ed.replaceChildren(Object.assign(doc.createElement('span'), { textContent: model }));
      }, 10);
    });
    ed.addEventListener('input', () => inputs++);
    el(doc, 'button.send').addEventListener('click', () => {
      el(doc, '#sent').textContent = model;
      model = '';
      ed.replaceChildren();
    });
    expect(await composeAndSend(doc, ed, 'wire text', { button: 'button.send' }, FAST)).toBe(true);
    expect(el(doc, '#sent').textContent).toBe('wire text');
    expect(inputs).toBe(0); // prevented: we did not insert on our own as well
  });

  it('an editor that refuses the text: refused before any send, nothing left behind', async () => {
    const doc = page('<div id="ed" contenteditable="true"></div>');
    const ed = el(doc, '#ed');
    ed.addEventListener('beforeinput', (e) => e.preventDefault());
    let entered = false;
    ed.addEventListener('keydown', () => {
      entered = true;
    });
    await expect(composeAndSend(doc, ed, 'x1', 'enter', FAST)).rejects.toThrow(ComposeError);
    expect(entered).toBe(false);
    expect(boxText(ed)).toBe('');
  });

  it('a role=textbox wrapper: the editable inside gets the text; inert is lifted only while inserting', async () => {
    const doc = page(
      '<div id="wrap" role="textbox" inert><div class="inner" contenteditable="true"></div></div>',
    );
    const wrap = el(doc, '#wrap');
    const inner = el(doc, '.inner');
    let inertDuringInsert: boolean | null = null;
    inner.addEventListener('beforeinput', () => {
      inertDuringInsert = wrap.hasAttribute('inert');
    });
    inner.addEventListener('keydown', () => inner.replaceChildren());
    expect(boxKind(wrap)).toBe('editable');
    expect(await composeAndSend(doc, wrap, 'abc', 'enter', FAST)).toBe(true);
    expect(inertDuringInsert).toBe(false);
    expect(wrap.hasAttribute('inert')).toBe(true);
  });

  it('beforeinput not prevented: execCommand insertText where the browser has it (and no second insertion)', async () => {
    const doc = page('<div id="ed" contenteditable="true"></div>');
    const ed = el(doc, '#ed');
    const calls: string[] = [];
    // happy-dom has no execCommand; this stands in for the browser's (real browsers: helper D's e2e).
    (doc as unknown as { execCommand: (c: string, u: boolean, v: string) => boolean }).execCommand = (
      c,
      _u,
      v,
    ) => {
      calls.push(`${c}:${v}`);
      if (c === 'insertText') ed.textContent = v;
      return true;
    };
    let beforeinputs = 0;
    ed.addEventListener('beforeinput', () => beforeinputs++);
    ed.addEventListener('keydown', () => ed.replaceChildren());
    expect(await composeAndSend(doc, ed, 'via exec', 'enter', FAST)).toBe(true);
    expect(calls).toEqual(['insertText:via exec']);
    expect(beforeinputs).toBe(1); // offered to the editor first; not prevented, so the browser inserts
  });

  it('never moves the focus (the user may be typing in the secure compose frame)', async () => {
    const doc = page(
      '<input id="elsewhere"><div id="ed" contenteditable="true"></div><textarea id="ta"></textarea>',
    );
    const elsewhere = el(doc, '#elsewhere');
    elsewhere.focus();
    const ed = el(doc, '#ed');
    ed.addEventListener('keydown', () => ed.replaceChildren());
    const ta = el<HTMLTextAreaElement>(doc, '#ta');
    ta.addEventListener('keydown', () => {
      ta.value = '';
    });
    let focused = 0;
    doc.addEventListener('focusin', () => focused++, true);
    expect(await composeAndSend(doc, ed, 'one', 'enter', FAST)).toBe(true);
    expect(await composeAndSend(doc, ta, 'two', 'enter', FAST)).toBe(true);
    expect(doc.activeElement).toBe(elsewhere);
    expect(focused).toBe(0);
  });
});

describe('compose: the focus where the user types', () => {
  const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0';
  const CHROMIUM =
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36';

  function setup(ua: string) {
    const doc = page('<input id="secure"><div id="ed" contenteditable="true" inert></div>', ua);
    const ed = el(doc, '#ed');
    const calls: string[] = [];
    // happy-dom has no execCommand: a stand-in that records whether the browser path was taken.
    (doc as unknown as { execCommand: (c: string, u: boolean, v: string) => boolean }).execCommand = (
      c,
      _u,
      v,
    ) => {
      calls.push(c);
      if (c === 'insertText') ed.textContent = v;
      return true;
    };
    ed.addEventListener('keydown', () => ed.replaceChildren());
    el(doc, '#secure').focus();
    return { doc, ed, calls };
  }

  it('Firefox with the focus elsewhere: no selection moved into the editor, inserted by events', async () => {
    const { doc, ed, calls } = setup(FIREFOX);
    expect(await composeAndSend(doc, ed, 'line', 'enter', FAST)).toBe(true);
    expect(calls).toEqual([]);
    expect(doc.activeElement).toBe(el(doc, '#secure'));
    const sel = doc.getSelection();
    expect(sel && sel.rangeCount > 0 && ed.contains(sel.getRangeAt(0).startContainer)).toBe(false);
  });

  it("Chromium with the focus elsewhere: the browser's insertion (measured not to move the focus)", async () => {
    const { doc, ed, calls } = setup(CHROMIUM);
    expect(await composeAndSend(doc, ed, 'line', 'enter', FAST)).toBe(true);
    expect(calls).toEqual(['insertText']);
    expect(doc.activeElement).toBe(el(doc, '#secure'));
  });
});

describe('compose: sending and refusing', () => {
  it('a disabled send button is refused (after the short wait), and our text removed', async () => {
    const doc = page('<textarea id="box"></textarea><button id="go" disabled>Send</button>');
    const box = el<HTMLTextAreaElement>(doc, '#box');
    let clicked = false;
    el(doc, '#go').addEventListener('click', () => {
      clicked = true;
    });
    await expect(composeAndSend(doc, box, 'hello', { button: '#go' }, FAST)).rejects.toThrow(/disabled/);
    expect(clicked).toBe(false);
    expect(box.value).toBe('');
    expect(() => triggerSend(doc, box, { button: '#go' })).toThrow(/disabled/);
    el(doc, '#go').removeAttribute('disabled');
    el(doc, '#go').setAttribute('aria-disabled', 'true');
    expect(() => triggerSend(doc, box, { button: '#go' })).toThrow(/disabled/);
  });

  it('a button the site enables once it saw the input is clicked', async () => {
    const doc = page('<textarea id="box"></textarea><button id="go" disabled>Send</button>');
    const box = el<HTMLTextAreaElement>(doc, '#box');
    const go = el<HTMLButtonElement>(doc, '#go');
    box.addEventListener('input', () => {
      setTimeout(() => {
        go.disabled = box.value === '';
      }, 10);
    });
    go.addEventListener('click', () => {
      box.value = '';
    });
    expect(await composeAndSend(doc, box, 'hello', { button: '#go' }, FAST)).toBe(true);
  });

  it('a missing button, a non-text box and malformed lines are refused', async () => {
    const doc = page('<textarea id="box"></textarea><div id="plain"></div><input id="pw" type="password">');
    const box = el<HTMLTextAreaElement>(doc, '#box');
    await expect(composeAndSend(doc, box, 'x', { button: '#nope' }, FAST)).rejects.toThrow(/not in the page/);
    await expect(composeAndSend(doc, el(doc, '#plain'), 'x', 'enter', FAST)).rejects.toThrow(/not a text/);
    expect(boxKind(el(doc, '#pw'))).toBeNull();
    expect(() => checkLine('a\nb', 100)).toThrow(/line breaks/);
    expect(() => checkLine('', 100)).toThrow(/empty/);
    expect(() => checkLine(' a', 100)).toThrow(/whitespace/);
    expect(() => checkLine('x'.repeat(101), 100)).toThrow(/over the 100 limit/);
    expect(() => checkLine('x'.repeat(100), 100)).not.toThrow();
  });

  it('Enter events carry key, code, keyCode 13 and bubble to the page', () => {
    const doc = page('<form id="f"><textarea id="box"></textarea></form>');
    const got: string[] = [];
    el(doc, '#f').addEventListener('keydown', (e) => {
      const k = e as KeyboardEvent;
      got.push(`${k.type}/${k.key}/${k.code}/${k.keyCode}/${k.cancelable}`);
    });
    el(doc, '#f').addEventListener('keypress', (e) => got.push(e.type));
    pressEnter(el(doc, '#box'));
    expect(got).toEqual(['keydown/Enter/Enter/13/true', 'keypress']);
  });
});

describe('compose: placeholders and decoration are not a draft', () => {
  it("slate-react's placeholder inside the editable root, aria-hidden parts, placeholder-marked paragraphs", () => {
    const doc = page(
      [
        '<div id="slate" contenteditable="true"><p><span><span contenteditable="false" data-slate-placeholder="true" style="position: absolute; pointer-events: none">Type a message</span><span data-slate-zero-width="n">\ufeff<br></span></span></p></div>',
        '<div id="hidden" contenteditable="true"><p><span aria-hidden="true">Message #general</span></p></div>',
        '<div id="pm" contenteditable="true"><p class="is-empty" data-placeholder="Say something"><br></p></div>',
        '<div id="quill" contenteditable="true" data-placeholder="Type here" class="ql-editor ql-blank"><p><br></p></div>',
      ].join(''),
    );
    for (const id of ['slate', 'hidden', 'pm', 'quill']) expect(boxText(el(doc, `#${id}`))).toBe('');
  });

  it('what the user typed still counts: text in an editor with a placeholder attribute, a mention chip, an emoji image', () => {
    const doc = page(
      [
        '<div id="quill" contenteditable="true" data-placeholder="Type here" class="ql-editor"><p>my draft</p></div>',
        '<div id="chip" contenteditable="true"><p><span contenteditable="false" class="mention">@bob</span></p></div>',
        '<div id="emoji" contenteditable="true"><p><img alt="🙂" src="data:,"></p></div>',
        '<div id="sticker" contenteditable="true"><p><img src="data:,"></p></div>',
      ].join(''),
    );
    expect(boxText(el(doc, '#quill'))).toBe('my draft');
    expect(boxText(el(doc, '#chip'))).toBe('@bob');
    expect(boxText(el(doc, '#emoji'))).toBe('🙂');
    expect(boxText(el(doc, '#sticker'))).toBe('\ufffc');
  });

  it('a box whose only content is a placeholder is written; one with a chip is refused as a draft', async () => {
    const doc = page(
      [
        '<div id="ed" contenteditable="true"><span contenteditable="false" data-slate-placeholder="true" style="position: absolute">Type a message</span></div>',
        '<div id="chip" contenteditable="true"><span contenteditable="false" class="mention">@bob</span></div>',
      ].join(''),
    );
    const ed = el(doc, '#ed');
    ed.addEventListener('keydown', (e) => {
      e.preventDefault();
      ed.replaceChildren();
    });
    expect(await composeAndSend(doc, ed, '?OTR:AAMDx.', 'enter', FAST)).toBe(true);
    await expect(composeAndSend(doc, el(doc, '#chip'), '?OTR:AAMDx.', 'enter', FAST)).rejects.toThrow(
      /draft/,
    );
    expect(el(doc, '#chip').textContent).toBe('@bob');
  });
});
