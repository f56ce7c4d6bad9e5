// The types a conversation's status, transcript and budgets travel in are declared once, where
// they are kept (engine, store) or sent (extension/shared/messages.ts), and imported everywhere
// else: two declarations drift apart (one grew `dropped`, one kept `limits` required) while the
// compiler, comparing shapes, says nothing.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

const NAMES = [
  'ConversationStatus',
  'ConversationLimits',
  'BudgetCounts',
  'StoredLimits',
  'SmpOutcome',
  'TranscriptEntry',
  'NoticeCode',
  'DeliveryStatus',
  'Trust',
  'MsgState',
  'PolicyName',
  'ConversationRef',
  'ConversationParts',
];

describe('shared types', () => {
  it('each is declared in exactly one file', () => {
    const files = [...sources('src'), ...sources('extension'), ...sources('content-scripts')];
    const found = new Map<string, string[]>(NAMES.map((n) => [n, []]));
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const n of NAMES)
        if (new RegExp(`^export (?:interface|type) ${n}\\b`, 'm').test(text))
          found.get(n)!.push(f.slice(ROOT.length + 1));
    }
    for (const [n, where] of found) expect({ n, where }).toEqual({ n, where: [expect.any(String)] });
  });
});
