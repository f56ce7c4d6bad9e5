/**
 * The element picker's decisions, without any UI: which step it is at, what a click on the page
 * means, and what the three picks make (a profile, checked on the page, with the rows it reads).
 * content-scripts/picker/ui.ts feeds it the page's clicks and draws what it says.
 *
 * Only trusted clicks (a person's, `event.isTrusted`) are picks: the page cannot make picks for
 * the user by dispatching events. Nothing here reads private-mode plaintext: the rows it reads are
 * the page's own (ciphertext or the site's text).
 */

import { t } from '../../extension/shared/i18n';
import { ProfileError, type SiteProfile } from '../../src/profile/profile';
import { checkProfile, deriveProfile, PickError, type ProfileCheck, readRow } from './derive';

export type Step = 'compose' | 'buddy' | 'own' | 'review' | 'closed';

export const STEP_TEXT: Record<Step, string> = {
  compose: t('ui_pickStepCompose'),
  buddy: t('ui_pickStepBuddy'),
  own: t('ui_pickStepOwn'),
  review: t('ui_pickStepReview'),
  closed: '',
};

export interface Review {
  profile: SiteProfile;
  check: ProfileCheck;
  /** Rows of the list read with the profile. */
  read: number;
  own: number;
  buddy: number;
  /** A few sender names read on each side. */
  ownSenders: string[];
  buddySenders: string[];
  /** The summary in plain words, line by line, for the bar. */
  lines: string[];
  /** The profile's selectors, line by line: the technical detail behind a disclosure. */
  technical: string[];
}

const MAX_SENDERS = 3;
const MAX_NAME = 40;

/** The editable element a click in the compose area means: the field, or the editor's root. */
export function editableTarget(el: Element): Element | null {
  const field = el.closest('textarea, input');
  if (field) {
    const type = (field.getAttribute('type') ?? 'text').toLowerCase();
    return field.tagName === 'TEXTAREA' || type === 'text' || type === 'search' || type === '' ? field : null;
  }
  // The outermost editable of a contenteditable tree (an editor's root, not a paragraph in it).
  let root: Element | null = null;
  for (let n: Element | null = el; n; n = n.parentElement) {
    const ce = n.getAttribute('contenteditable');
    if (ce !== null && ce.toLowerCase() !== 'false') root = n;
    else if (ce !== null) break;
  }
  if (root) return root;
  return el.closest('[role="textbox"]');
}

function shortName(s: string): string {
  return s.length > MAX_NAME ? `${s.slice(0, MAX_NAME - 1)}…` : s;
}

export class PickerMachine {
  step: Step = 'compose';
  /** Why the last pick or the derivation failed (shown in the bar), or null. */
  error: string | null = null;
  review: Review | null = null;
  private compose: Element | null = null;
  private buddy: Element | null = null;

  constructor(
    private readonly doc: Document,
    private readonly site: string,
  ) {}

  get stepText(): string {
    return STEP_TEXT[this.step];
  }

  /** Whether a click on the page is a pick now (the UI then stops the page from seeing it). */
  get picking(): boolean {
    return this.step === 'compose' || this.step === 'buddy' || this.step === 'own';
  }

  /** What a pointer over `el` would pick now (for the highlight), or null. */
  candidate(el: Element | null): Element | null {
    if (!el || !this.picking) return null;
    return this.step === 'compose' ? editableTarget(el) : el;
  }

  /**
   * A click on the page at `target`. Returns true when it was taken as a pick (the page must not
   * see it); untrusted clicks are never picks.
   */
  click(target: Element | null, trusted: boolean): boolean {
    if (!trusted || !target || !this.picking) return false;
    this.error = null;
    if (this.step === 'compose') {
      const box = editableTarget(target);
      if (!box) {
        this.error = t('ui_pickNotTextBox');
        return true;
      }
      this.compose = box;
      this.step = 'buddy';
      return true;
    }
    if (this.compose && (this.compose === target || this.compose.contains(target))) {
      this.error = t('ui_pickIsComposeBox');
      return true;
    }
    if (this.step === 'buddy') {
      this.buddy = target;
      this.step = 'own';
      return true;
    }
    if (this.buddy && (this.buddy === target || this.buddy.contains(target) || target.contains(this.buddy))) {
      this.error = t('ui_pickBuddyAgain');
      return true;
    }
    this.finish(target);
    return true;
  }

  /** Back to the first step. */
  again(): void {
    this.compose = null;
    this.buddy = null;
    this.review = null;
    this.error = null;
    this.step = 'compose';
  }

  cancel(): void {
    this.compose = null;
    this.buddy = null;
    this.review = null;
    this.step = 'closed';
  }

  /** The profile to save: only from a review whose check passed. */
  get saveable(): SiteProfile | null {
    return this.step === 'review' && this.review?.check.ok ? this.review.profile : null;
  }

  private finish(own: Element): void {
    const compose = this.compose;
    const buddy = this.buddy;
    if (!compose || !buddy) {
      this.again();
      return;
    }
    try {
      const profile = deriveProfile(this.doc, { compose, buddyMessage: buddy, ownMessage: own }, this.site);
      this.review = this.summarize(profile);
      this.step = 'review';
    } catch (e) {
      const detail = e instanceof PickError || e instanceof ProfileError ? e.message : String(e);
      this.again();
      this.error = t('ui_pickFailed', detail);
    }
  }

  private summarize(profile: SiteProfile): Review {
    const check = checkProfile(this.doc, profile);
    const list = this.doc.querySelector(profile.selectors.list);
    let read = 0;
    let own = 0;
    let buddy = 0;
    const ownSenders = new Set<string>();
    const buddySenders = new Set<string>();
    for (const row of Array.from(list?.children ?? [])) {
      const r = readRow(row, profile);
      if (!r) continue;
      read++;
      if (r.own) own++;
      else buddy++;
      const names = r.own ? ownSenders : buddySenders;
      if (r.from && names.size < MAX_SENDERS) names.add(shortName(r.from));
    }
    const s = profile.selectors;
    const none = t('ui_pickNone');
    // Plain words first (what offrecord will read); the selectors are the technical detail.
    const lines = [
      t('ui_pickFound', check.rows, read, own, buddy),
      t('ui_pickSenders', [...ownSenders].join(', ') || none, [...buddySenders].join(', ') || none),
      profile.send === 'enter' ? t('ui_pickSendsEnter') : t('ui_pickSendsButton'),
    ];
    if (!check.ok) lines.push(t('ui_pickNoFit', check.problems.join('; ')));
    const technical = [
      `compose: ${s.compose}`,
      `list: ${s.list} > ${s.row}${s.text ? ` / text: ${s.text}` : ''}`,
      `own: ${profile.own.match} ${profile.own.selector}`,
      `sender: ${profile.senderAttribute ? `@${profile.senderAttribute}` : (s.sender ?? '-')}`,
      `send: ${profile.send === 'enter' ? 'enter' : profile.send.button}`,
    ];
    if (profile.orderAttribute) technical.push(`order: @${profile.orderAttribute}`);
    return {
      profile,
      check,
      read,
      own,
      buddy,
      ownSenders: [...ownSenders],
      buddySenders: [...buddySenders],
      lines,
      technical,
    };
  }
}
