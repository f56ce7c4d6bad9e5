// The side panel's pure rules: status words, transcript merging, and the binding of typed text to
// the conversation it was typed for (a chat switch never sends it elsewhere, never empties it).
import { describe, expect, it } from 'vitest';
import {
  afterSent,
  EMPTY_DRAFT,
  liveQuestionId,
  mergeEntries,
  refusalKey,
  sendBlock,
  sentInTranscript,
  statusKind,
  typed,
} from '../../../extension/panel/model';
import {
  type ConversationStatus,
  LIMITS,
  REFUSAL,
  type TranscriptEntry,
} from '../../../extension/shared/messages';

const entry = (
  id: string,
  dir: TranscriptEntry['dir'],
  text: string,
  more: Partial<TranscriptEntry> = {},
): TranscriptEntry => ({ id, dir, text, at: 1, encrypted: true, ...more });

const status = (over: Partial<ConversationStatus>): ConversationStatus => ({
  state: 'plaintext',
  version: 0,
  privateMode: false,
  trust: '',
  fingerprint: null,
  ourFingerprint: null,
  fingerprintChanged: false,
  authInProgress: false,
  smp: { state: 'expect1' },
  held: 0,
  pendingWire: 0,
  siteError: null,
  ...over,
});

const BOB = 'conv:["http://x","alice","p","bob"]';
const CAROL = 'conv:["http://x","alice","p","carol"]';

describe('transcript merge', () => {
  it('appends new entries in order and replaces an entry by direction and id', () => {
    const a = [entry('1', 'out', 'held one', { status: 'held' }), entry('1', 'in', 'theirs')];
    const b = mergeEntries(a, [entry('1', 'out', 'held one', { status: 'sent' }), entry('2', 'in', 'next')]);
    expect(b.map((e) => `${e.dir}:${e.id}:${e.status ?? ''}`)).toEqual(['out:1:sent', 'in:1:', 'in:2:']);
    expect(a[0]?.status).toBe('held');
  });
  it('keeps one entry per key however often a push repeats it', () => {
    let t: TranscriptEntry[] = [];
    for (let i = 0; i < 3; i++) t = mergeEntries(t, [entry('x', 'notice', '', { notice: 'started' })]);
    expect(t).toHaveLength(1);
  });
  it('keeps the newest LIMITS.transcript entries of a panel left open on a flood', () => {
    let t: TranscriptEntry[] = [];
    for (let i = 0; i < 30; i++)
      t = mergeEntries(
        t,
        Array.from({ length: 100 }, (_, k) => entry(`${i * 100 + k}`, 'in', `row ${i * 100 + k}`)),
      );
    expect(t).toHaveLength(LIMITS.transcript);
    expect(t.at(-1)?.text).toBe('row 2999');
    expect(t[0]?.text).toBe(`row ${3000 - LIMITS.transcript}`);
  });
});

describe('status words', () => {
  it("maps every conversation state to pidgin-otr's four words (plus starting / no chat)", () => {
    expect(statusKind(null, null)).toBe('none');
    expect(statusKind(null, BOB)).toBe('not-private');
    expect(statusKind(status({}), BOB)).toBe('not-private');
    expect(statusKind(status({ privateMode: true }), BOB)).toBe('starting');
    expect(statusKind(status({ authInProgress: true }), BOB)).toBe('starting');
    expect(statusKind(status({ state: 'encrypted' }), BOB)).toBe('unverified');
    expect(statusKind(status({ state: 'encrypted', trust: 'smp' }), BOB)).toBe('private');
    expect(statusKind(status({ state: 'encrypted', trust: 'verified' }), BOB)).toBe('private');
    expect(statusKind(status({ state: 'finished', trust: 'verified' }), BOB)).toBe('finished');
  });
});

describe('typed text belongs to the conversation shown when typing began', () => {
  const privateBob = status({ state: 'encrypted', privateMode: true });
  it('binds at the first character and keeps the binding while typing on', () => {
    let d = typed(EMPTY_DRAFT, 'h', BOB, 'bob');
    expect(d).toEqual({ text: 'h', conv: BOB, peer: 'bob' });
    // The chat switched to carol mid-typing: the text stays bob's.
    d = typed(d, 'hello', CAROL, 'carol');
    expect(d).toEqual({ text: 'hello', conv: BOB, peer: 'bob' });
    expect(sendBlock(d, CAROL, privateBob)).toBe('panel_reasonOtherChat');
    expect(sendBlock(d, BOB, privateBob)).toBeNull();
  });
  it('an emptied box is free again: new text binds to the chat shown now', () => {
    let d = typed(EMPTY_DRAFT, 'for bob', BOB, 'bob');
    d = typed(d, '', CAROL, 'carol');
    expect(d).toEqual(EMPTY_DRAFT);
    d = typed(d, 'for carol', CAROL, 'carol');
    expect(d.conv).toBe(CAROL);
  });
  it('never sends while not private, finished, or with no chat shown (the text stays)', () => {
    const d = typed(EMPTY_DRAFT, 'x', BOB, 'bob');
    expect(sendBlock(d, BOB, status({}))).toBe('panel_reasonNotPrivate');
    expect(sendBlock(d, BOB, null)).toBe('panel_reasonNotPrivate');
    expect(sendBlock(d, BOB, status({ state: 'finished', privateMode: true }))).toBe('panel_reasonFinished');
    expect(sendBlock(d, null, privateBob)).toBe('panel_reasonNoChat');
    // Private mode on, AKE still running: it may go (held, then sent encrypted: I2).
    expect(sendBlock(d, BOB, status({ privateMode: true, authInProgress: true }))).toBeNull();
  });
  it("maps the background's refusals to the same reasons", () => {
    expect(refusalKey(REFUSAL.changed)).toBe('panel_reasonOtherChat');
    expect(refusalKey(REFUSAL.notPrivate)).toBe('panel_reasonNotPrivate');
    expect(refusalKey(REFUSAL.finished)).toBe('panel_reasonFinished');
    expect(refusalKey('something else')).toBeNull();
  });
});

describe("the buddy's question", () => {
  it('only the newest request has a live answer field, and only while the buddy waits', () => {
    const t = [
      entry('q1', 'notice', 'first?', { notice: 'smp-asked' }),
      entry('m', 'in', 'hi'),
      entry('q2', 'notice', 'second?', { notice: 'smp-asked' }),
    ];
    expect(liveQuestionId(t, status({ smp: { state: 'question-asked', question: 'second?' } }))).toBe('q2');
    expect(liveQuestionId(t, status({ smp: { state: 'expect1' } }))).toBeNull();
    expect(liveQuestionId([], status({ smp: { state: 'question-asked' } }))).toBeNull();
  });
});

describe('a send whose reply was lost (the worker stopped after taking it)', () => {
  const f = { text: 'alice three', conv: BOB, since: 1_000 };
  it('counts as sent only when our entry with exactly that text is stamped after the send left', () => {
    expect(sentInTranscript([entry('o1', 'out', 'alice three', { at: 1_000 })], f)).toBe(true);
    expect(sentInTranscript([entry('o1', 'out', 'alice three', { at: 999 })], f)).toBe(false);
    expect(sentInTranscript([entry('i1', 'in', 'alice three', { at: 2_000 })], f)).toBe(false);
    expect(sentInTranscript([entry('o1', 'out', 'alice thre', { at: 2_000 })], f)).toBe(false);
    expect(sentInTranscript([], f)).toBe(false);
  });
  it('takes only the sent text out of the box and keeps what was typed after it', () => {
    const d = typed(EMPTY_DRAFT, 'alice three', BOB, 'bob');
    expect(afterSent(d, 'alice three')).toEqual(EMPTY_DRAFT);
    expect(afterSent({ ...d, text: 'alice three and more' }, 'alice three').text).toBe(' and more');
    expect(afterSent({ ...d, text: 'something else' }, 'alice three').text).toBe('something else');
  });
});
