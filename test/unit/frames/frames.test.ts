import { describe, expect, it } from 'vitest';
import { mergeEntries } from '../../../extension/frames/entries';
import { statusKind, statusLabel } from '../../../extension/frames/status';
import type { ConversationStatus, TranscriptEntry } from '../../../extension/shared/messages';

const entry = (
  id: string,
  dir: 'in' | 'out',
  text: string,
  status?: TranscriptEntry['status'],
): TranscriptEntry => ({
  id,
  dir,
  text,
  at: 1,
  encrypted: true,
  ...(status ? { status } : {}),
});

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

describe('transcript merge', () => {
  it('appends new entries in order and replaces an entry by direction and id', () => {
    const a = [entry('1', 'out', 'held one', 'held'), entry('1', 'in', 'theirs')];
    const b = mergeEntries(a, [entry('1', 'out', 'held one', 'sent'), entry('2', 'in', 'next')]);
    expect(b.map((e) => `${e.dir}:${e.id}:${e.status ?? ''}`)).toEqual(['out:1:sent', 'in:1:', 'in:2:']);
    expect(a[0]?.status).toBe('held');
  });
  it('keeps one entry per key however often a push repeats it', () => {
    let t: TranscriptEntry[] = [];
    for (let i = 0; i < 3; i++) t = mergeEntries(t, [entry('x', 'in', 'same')]);
    expect(t).toHaveLength(1);
  });
});

describe('status line', () => {
  it('maps every conversation state to what the frames show', () => {
    expect(statusKind(null)).toBe('none');
    expect(statusKind(status({}))).toBe('not-private');
    expect(statusKind(status({ privateMode: true }))).toBe('starting');
    expect(statusKind(status({ authInProgress: true }))).toBe('starting');
    expect(statusKind(status({ state: 'encrypted' }))).toBe('unverified');
    expect(statusKind(status({ state: 'encrypted', trust: 'smp' }))).toBe('private');
    expect(statusKind(status({ state: 'encrypted', trust: 'verified' }))).toBe('private');
    expect(statusKind(status({ state: 'finished', trust: 'verified' }))).toBe('finished');
  });
  it('says how many messages are held', () => {
    expect(statusLabel(status({ privateMode: true, held: 2 }))).toMatch(/2 held/);
    expect(statusLabel(status({ state: 'encrypted' }))).not.toMatch(/held/);
  });
});
