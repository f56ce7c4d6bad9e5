// Routes each validated request to its handler, applies the SessionManager's effects (wire lines
// to the tab's content script, plaintext to the side panel only, statuses to panel, popup and
// badge) and turns the outcome into a reply. No browser API here: everything the worker provides
// comes in through RouterDeps, so unit tests run it with memory stores (test/unit/background/).
//
// Rights (ports.ts) are fixed per port: a content script names no tab (its own comes from the
// sender) and gets nothing but wire lines and private-mode pushes; the panel names the tab it
// shows and gets that tab's transcript; popup and options may name any tab.

import {
  base64Decode,
  base64Encode,
  bytesToHex,
  hexToBytes,
  utf8Decode,
  utf8Encode,
} from '../../src/crypto/bytes';
import { fail } from '../../src/otr/errors';
import { parseFingerprintsFile, serializeFingerprintsFile } from '../../src/otr/fingerprints-file';
import { parsePrivateKeyFile, serializePrivateKeyFile } from '../../src/otr/keyfile';
import { fingerprint as fingerprintOf, formatFingerprint, parseFingerprint } from '../../src/otr/pubkey';
import { parseProfile, type SiteProfile, serializeProfile } from '../../src/profile/profile';
import { BudgetError } from '../../src/store/budgets';
import { conversationId, parseConversationId } from '../../src/store/conversation-id';
import { KeyLockedError } from '../../src/store/key-lock';
import type { KeyStore, SessionStore, Trust } from '../../src/store/types';
import { t } from '../shared/i18n';
import {
  type BadgeAlert,
  type BadgeStatus,
  type BuddyPolicyInfo,
  type BuddyPolicyName,
  type ContentRequest,
  type ConversationStatus,
  chatMessageChars,
  type KeyFileEncoding,
  LIMITS,
  type LockInfo,
  type PageRequest,
  type PanelRequest,
  type PushEvent,
  REFUSAL,
  type Reply,
  type ResultMap,
  type StatusResult,
  TRUSTS,
  type WipeReport,
} from '../shared/messages';
import { alertFor, badgeFor } from './badge-status';
import type { LockService } from './lock';
import type { ContentRights, PageRights, PortRights } from './ports';
import { IncomingLimiter, type RateLimits } from './rate-limit';
import {
  type ConversationRef,
  type Effects,
  PolicyRefusedError,
  type SessionManager,
} from './session-manager';
import type { TabRecord, TabTable } from './tab-table';

export interface RouterStats {
  invalidMessages: number;
}

/** Where pushes go: one per open port. */
export interface PushTarget {
  post(msg: { type: 'push'; event: PushEvent }): void;
}

export interface RouterDeps {
  manager: SessionManager;
  keys: KeyStore;
  sessions: SessionStore;
  tabs: TabTable;
  stats: RouterStats;
  setBadge(tabId: number, badge: BadgeStatus, alert: BadgeAlert): Promise<void>;
  grantedSites(): Promise<string[]>;
  /** Whether offrecord holds host permission for this origin. */
  siteEnabled(origin: string): Promise<boolean>;
  /** After the popup obtained a site's permission: register the content script there. */
  syncContentScripts(): Promise<unknown>;
  counter: { get(): Promise<number>; increment(): Promise<number> };
  /** The buddy asks for SMP while no popup is open (notification). */
  notifySmp?(tabId: number, question: string | null): void;
  /** The clock of the incoming rate limit, and its limits (tests). */
  now?: () => number;
  incomingLimits?: RateLimits;
  /** The passphrase lock (issue 18). */
  lock: LockService;
  /** Everything else the panic wipe erases: storage.local and storage.session; the count of entries. */
  eraseStorage(): Promise<number>;
  /** How long the panic wipe waits for pages to hand the ends to their sites (ms). */
  wipeWaitMs?: number;
}

type Result<T extends string> = T extends keyof ResultMap ? ResultMap[T] : never;

interface Listener {
  rights: PortRights;
  target: PushTarget;
  /** For a panel: the chat tab it shows (set by panel-hello), whose transcript it receives. */
  watch: number | null;
}

export class Router {
  /** Open ports by connection id (rebuilt as clients reconnect after a worker restart). */
  private readonly listeners = new Map<string, Listener>();
  /** Keys being generated, for the popup's status. */
  readonly keygen = new Map<string, { account: string; protocol: string; fraction: number }>();
  /** Incoming chat messages per tab (I8); in memory: a restarted worker starts with full buckets. */
  private readonly incoming: IncomingLimiter;
  /**
   * What each tab's toolbar button shows now ("badge|alert"): a status that does not change the
   * look is not drawn again. Drawing sets the icon, which the browser loads and decodes each time;
   * done for every incoming message, it held a flooding page's processing to ~20 messages/s.
   */
  private readonly drawn = new Map<number, string>();

  constructor(private readonly deps: RouterDeps) {
    this.incoming = new IncomingLimiter(deps.now, deps.incomingLimits);
  }

  get stats(): RouterStats {
    return this.deps.stats;
  }

  attach(connection: string, rights: PortRights, target: PushTarget): void {
    this.listeners.set(connection, { rights, target, watch: null });
  }

  /** The port closed. For a tab's top-frame content script: the tab is no longer connected. */
  async detach(connection: string): Promise<void> {
    const l = this.listeners.get(connection);
    this.listeners.delete(connection);
    if (l?.rights.kind === 'content' && l.rights.frameId === 0) {
      const tabId = l.rights.tabId;
      const gone = await this.deps.tabs.update(tabId, (old) =>
        old && old.connection === connection ? null : old,
      );
      if (!gone) {
        await this.draw(tabId, 'off', '');
        this.pushPanels(tabId, { type: 'panel-switch', tabId });
      }
    }
  }

  async tabClosed(tabId: number): Promise<void> {
    this.incoming.forget(tabId);
    this.drawn.delete(tabId);
    await this.deps.tabs.update(tabId, () => null);
    this.pushPanels(tabId, { type: 'panel-switch', tabId });
  }

  /** Key generation progress (from the SessionManager): shown in the popup and options. */
  keyProgress(account: string, protocol: string, fraction: number): void {
    const k = JSON.stringify([account, protocol]);
    if (fraction >= 1) this.keygen.delete(k);
    else this.keygen.set(k, { account, protocol, fraction });
    this.pushPages({ type: 'keygen', account, protocol, fraction });
  }

  async handle(
    req: ContentRequest | PanelRequest | PageRequest,
    rights: PortRights,
    connection: string,
  ): Promise<Reply> {
    try {
      // A request after the auto-lock deadline finds the keys locked; the user's own requests
      // (popup, options, panel, compose) restart the countdown.
      if (rights.kind !== 'content') await this.deps.lock.beforeRequest(req.type);
      let result: unknown;
      switch (rights.kind) {
        case 'content':
          result = await this.content(req as ContentRequest, rights, connection);
          break;
        case 'panel':
          result = await this.panel(req as PanelRequest, connection);
          break;
        case 'page':
          result = await this.page(req as PageRequest, rights);
          break;
      }
      return { type: 'reply', id: req.id, ok: true, result };
    } catch (e) {
      const error = (e instanceof Error ? e.message : String(e)).slice(0, LIMITS.error);
      return { type: 'reply', id: req.id, ok: false, error };
    }
  }

  /** Redraws every known tab's badge from the tab map and SessionStore (worker start). */
  async restoreBadges(): Promise<void> {
    for (const [tabId, rec] of await this.deps.tabs.all()) {
      // One conversation whose state cannot be read does not leave the other tabs' badges blank.
      const status = rec.ref ? await this.deps.manager.status(rec.ref).catch(() => null) : null;
      await this.badge(tabId, status).catch(() => undefined);
    }
  }

  // ---- content script ------------------------------------------------------------------

  private async content(req: ContentRequest, rights: ContentRights, connection: string): Promise<unknown> {
    // Only the top frame speaks for the tab's chat; a subframe may say hello and nothing else.
    if (req.type !== 'hello' && rights.frameId !== 0) throw new Error('only the top frame reports a chat');
    switch (req.type) {
      case 'hello': {
        // The URL the script reports is informational; identity comes from the sender.
        if (new URL(req.url).origin !== rights.origin) throw new Error('url does not match the sender');
        if (rights.frameId === 0) {
          const rec = await this.deps.tabs.update(rights.tabId, (old) => ({
            url: req.url,
            origin: rights.origin,
            connection,
            conversation: old?.origin === rights.origin ? old.conversation : null,
            ref: old?.origin === rights.origin ? old.ref : null,
            privateMode: false,
            badge: old?.badge ?? 'ready',
            alert: old?.alert ?? '',
            // Rows dropped in this tab stay counted while it shows the site (a reconnect says hello).
            ...(old?.dropped && old.origin === rights.origin ? { dropped: old.dropped } : {}),
          }));
          // A page (re)loaded: the browser has reset the tab's button, draw it again.
          this.drawn.delete(rights.tabId);
          await this.badge(rights.tabId, rec?.ref ? await this.deps.manager.status(rec.ref) : null);
        }
        const profile = (await this.deps.keys.getSite(rights.origin))?.profile ?? null;
        return { tabId: rights.tabId, frameId: rights.frameId, profile } satisfies Result<'hello'>;
      }
      case 'conversation': {
        const oneToOne = req.kind === 'one-to-one' && req.peer !== null;
        // The user's limit and pacing for the site, when set, win over what the page's adapter says.
        const site = await this.deps.keys.getSite(rights.origin);
        const maxMessageSize = site?.maxMessageLength ?? req.maxMessageSize;
        const ref: ConversationRef | null =
          oneToOne && req.peer !== null
            ? {
                site: rights.origin,
                account: req.account,
                protocol: req.protocol,
                peer: req.peer,
                maxMessageSize,
              }
            : null;
        const reason =
          req.reason ??
          (req.kind === 'group'
            ? t('ui_reasonGroup')
            : !oneToOne
              ? t('ui_reasonNoChat')
              : !req.composeFound
                ? t('ui_reasonNoCompose')
                : !req.listFound
                  ? t('ui_reasonNoList')
                  : null);
        const status = ref ? await this.deps.manager.status(ref) : null;
        const privateMode = status?.privateMode === true && reason === null;
        const before = await this.deps.tabs.get(rights.tabId);
        const switched =
          (before?.ref ? conversationId(before.ref) : null) !== (ref ? conversationId(ref) : null) ||
          (before?.conversation?.reason ?? null) !== reason;
        await this.deps.tabs.update(rights.tabId, (old) => ({
          url: old?.url ?? rights.url,
          origin: rights.origin,
          connection: old?.connection ?? connection,
          conversation: {
            account: req.account,
            protocol: req.protocol,
            peer: req.peer,
            kind: req.kind,
            reason,
            maxMessageSize,
          },
          ref,
          privateMode,
          badge: old?.badge ?? 'ready',
          alert: old?.alert ?? '',
          // What the page said about itself (page-info) stays until the page says otherwise.
          ...(old?.page && old.origin === rights.origin ? { page: old.page } : {}),
          ...(old?.dropped && old.origin === rights.origin ? { dropped: old.dropped } : {}),
        }));
        this.pushTo(connection, { type: 'private-mode', on: privateMode, reason });
        // The panel showing this tab learns at once that the chat changed (and never sends the
        // text being typed to the new one: its sends name the conversation they were typed for).
        if (switched) this.pushPanels(rights.tabId, { type: 'panel-switch', tabId: rights.tabId });
        if (ref) {
          // Lines produced while no page could send them (or before a worker restart): send now.
          const pending = await this.deps.manager.pending(ref);
          if (pending.length > 0) this.pushTo(connection, { type: 'send-wire', lines: pending });
          // Have the key ready before the user asks for privacy; generation yields, never blocks.
          // (Not while locked: a key made then could not be sealed; ensureKey refuses. Not past
          // AUTO_KEYS_MAX: the page names the account.)
          void this.deps.keys
            .getPublicKey(ref.account, ref.protocol)
            .then((k) =>
              k ? undefined : this.deps.manager.ensureKey(ref.account, ref.protocol, { auto: true }),
            )
            .catch(() => undefined);
        }
        await this.badge(rights.tabId, status);
        return { privateMode, pacing: site?.pacing ?? null } satisfies Result<'conversation'>;
      }
      case 'page-info':
        await this.deps.tabs.update(rights.tabId, (old) => (old ? { ...old, page: req.info } : old));
        return {};
      case 'profile-save':
        // The picker runs in the page it made the profile for: a page speaks for its own site only.
        if (req.profile.site !== rights.origin)
          throw new Error('a page may save a profile for its own site only');
        await this.saveProfile(rights.origin, req.profile);
        return {};
      case 'chat-messages': {
        const rec = await this.deps.tabs.get(rights.tabId);
        const ref = rec?.ref;
        if (!ref) return {};
        const conv = conversationId(ref);
        const { manager } = this.deps;
        // Counted as it goes: a failure further on must not lose the count of what was dropped.
        let dropped = 0;
        const count = async () => {
          if (dropped === 0) return;
          const n = dropped;
          dropped = 0;
          const rec = await this.noteTab(rights.tabId, (old) =>
            old ? { ...old, dropped: Math.max(0, (old.dropped ?? 0) + n) } : old,
          );
          // A panel showing this tab says so at once (a batch dropped whole changes no status).
          if (this.watched(rights.tabId))
            this.pushPanels(rights.tabId, {
              type: 'status',
              status: withDropped(await manager.status(ref), rec),
              tabId: rights.tabId,
            });
        };
        try {
          // The buddy's rows this worker has not processed yet. One it has (the same id and text,
          // known in memory: a reload, a re-render, a page replaying rows) costs nothing more: no
          // storage read, no hash, no status. (Of history the content script sends only the
          // buddy's OTR lines: content-scripts/chat.ts wantedInHistory.)
          const todo = [];
          for (const m of req.messages) {
            if (m.own || m.from !== ref.peer) continue;
            if (req.history && !m.text.includes('?OTR')) continue;
            if (!manager.knows(conv, m)) todo.push(m);
            else if (this.incoming.noteProcessed(rights.tabId, m.id, m.text.length)) dropped--;
          }
          if (todo.length === 0) return {} satisfies Result<'chat-messages'>;
          // History (rows that were in the chat before the script started: the first scan, and
          // old rows a virtualized list mounts when scrolled back) matters only for a chat that
          // has OTR state, and only its OTR lines: a message that arrived while the page reloaded.
          // Plain text in history was shown by the site long ago; it is neither a new message nor
          // one to warn about as unencrypted.
          if (req.history && !(await manager.hasRecord(ref))) return {} satisfies Result<'chat-messages'>;
          for (const m of todo) {
            // Every row looked at is paid from the tab's rate (I8): its characters before (telling
            // a new row from one processed before hashes its text), a message once it is new. Over
            // the rate it is dropped and counted, never queued. A failure (the state could not be
            // stored) rejects this tab's batch only: its content script sends it again, nothing is
            // processed twice, and a row dropped before is not counted again (one processed now is
            // no longer counted as dropped).
            const taken =
              this.incoming.take(rights.tabId, chatMessageChars(m), 0) &&
              (await this.receiveOrHold(rights.tabId, ref, { id: m.id, text: m.text }, () =>
                this.incoming.take(rights.tabId, 0, 1),
              ));
            if (!taken) {
              if (this.incoming.noteDropped(rights.tabId, m.id, m.text.length)) dropped++;
            } else if (this.incoming.noteProcessed(rights.tabId, m.id, m.text.length)) dropped--;
          }
        } finally {
          await count();
        }
        return {} satisfies Result<'chat-messages'>;
      }
      case 'wire-sent': {
        const ref = (await this.deps.tabs.get(rights.tabId))?.ref;
        if (ref) await this.deps.manager.ack(ref, req.seq);
        return {} satisfies Result<'wire-sent'>;
      }
      case 'wire-delivered': {
        const ref = (await this.deps.tabs.get(rights.tabId))?.ref;
        if (ref) await this.apply(rights.tabId, ref, await this.deps.manager.delivered(ref, req.seqs));
        return {} satisfies Result<'wire-delivered'>;
      }
      case 'wire-failed': {
        const ref = (await this.deps.tabs.get(rights.tabId))?.ref;
        if (!ref) return { dropped: [] } satisfies Result<'wire-failed'>;
        const fx = await this.deps.manager.failed(ref, req.seqs);
        await this.apply(rights.tabId, ref, fx);
        return { dropped: fx.dropped } satisfies Result<'wire-failed'>;
      }
      case 'site-error': {
        const ref = (await this.deps.tabs.get(rights.tabId))?.ref;
        if (ref) await this.publishStatus(ref, await this.deps.manager.setSiteError(ref, req.error));
        return {} satisfies Result<'site-error'>;
      }
      case 'toggle-private': {
        const status = await this.goPrivate(rights.tabId);
        return { privateMode: status.privateMode } satisfies Result<'toggle-private'>;
      }
    }
  }

  // ---- the side panel ----------------------------------------------------------------------

  private async panel(req: PanelRequest, connection: string): Promise<unknown> {
    // The lock (issue 18): the panel asks for the passphrase where the page cannot draw.
    if (req.type === 'lock-state' || req.type === 'lock-unlock' || req.type === 'lock-now')
      return this.page(req, { kind: 'page', url: '', tabId: null });
    const tabId = req.tabId;
    switch (req.type) {
      case 'panel-hello': {
        const l = this.listeners.get(connection);
        if (l) l.watch = req.tabId;
        const rec = await this.deps.tabs.get(req.tabId);
        const ref = rec?.ref ?? null;
        const status = ref ? withDropped(await this.deps.manager.status(ref), rec) : null;
        // What the panel shows (LIMITS.transcript entries): only the chunks holding them are read.
        const transcript = ref ? await this.deps.manager.transcript(ref, LIMITS.transcript) : [];
        return {
          tabId: req.tabId,
          site: rec?.origin ?? null,
          conv: ref ? conversationId(ref) : null,
          conversation: rec?.conversation ?? null,
          status,
          transcript,
        } satisfies Result<'panel-hello'>;
      }
      case 'panel-send': {
        const ref = await this.boundRef(req.tabId, req.conv);
        // The manager refuses a send in clear or into a finished conversation (REFUSAL), in the
        // conversation's own queue.
        const fx = await this.deps.manager.send(ref, req.text);
        await this.apply(req.tabId, ref, fx);
        return { status: fx.status } satisfies Result<'panel-send'>;
      }
      case 'status':
        return this.status(tabId ?? null);
      default: {
        // The popup's conversation operations, bound to the conversation the panel showed.
        // The operation acts on the conversation checked here, not on whatever the tab shows
        // by the time it runs: a page switching its chat in between cannot redirect it.
        const { conv, ...rest } = req;
        const bound = await this.boundRef(req.tabId, conv);
        return this.page(rest as PageRequest, { kind: 'page', url: '', tabId: null }, bound);
      }
    }
  }

  /** The tab's conversation, if it is still the one `conv` names (else nothing is done). */
  private async boundRef(tabId: number, conv: string): Promise<ConversationRef> {
    const rec = await this.deps.tabs.get(tabId);
    if (!rec?.ref || conversationId(rec.ref) !== conv) throw new Error(REFUSAL.changed);
    return rec.ref;
  }

  // ---- popup and options ---------------------------------------------------------------

  /** `bound`: the conversation a panel request named and the router checked (else the tab's own). */
  private async page(req: PageRequest, _rights: PageRights, bound?: ConversationRef): Promise<unknown> {
    const { manager, keys } = this.deps;
    const refFor = (tabId: number) => (bound ? Promise.resolve(bound) : this.refOf(tabId));
    switch (req.type) {
      case 'status':
        return this.status(req.tabId);
      case 'increment':
        return { counter: await this.deps.counter.increment() };
      case 'go-private':
      case 'refresh-private':
        return { status: await this.goPrivate(req.tabId, bound) };
      case 'end-private': {
        const ref = await refFor(req.tabId);
        const fx = await manager.endPrivate(ref);
        await this.apply(req.tabId, ref, fx);
        return { status: fx.status };
      }
      case 'smp-start':
        return this.op(req.tabId, await refFor(req.tabId), (ref) =>
          manager.startSmp(ref, req.secret, req.question ?? undefined),
        );
      case 'smp-answer':
        return this.op(req.tabId, await refFor(req.tabId), (ref) => manager.answerSmp(ref, req.secret));
      case 'smp-abort':
        return this.op(req.tabId, await refFor(req.tabId), (ref) => manager.abortSmp(ref));
      case 'retry-send-tab':
        return this.op(req.tabId, await refFor(req.tabId), (ref) => manager.retry(ref, req.entryId));
      case 'set-trust': {
        const ref = await refFor(req.tabId);
        const status = await manager.setTrust(ref, req.fingerprint, req.trust);
        await this.publishStatus(ref, status);
        return { status };
      }
      case 'site-enabled': {
        if (!(await this.deps.siteEnabled(req.origin))) throw new Error('offrecord has no permission there');
        await this.deps.syncContentScripts();
        return {};
      }
      case 'keys-list':
        return (await keys.listPublicKeys()).map((k) => ({
          account: k.account,
          protocol: k.protocol,
          fingerprint: formatFingerprint(fingerprintOf(k.key)),
          created: Math.max(0, Math.floor(k.created)),
        }));
      case 'key-generate': {
        const key = await manager.ensureKey(req.account, req.protocol);
        return { fingerprint: formatFingerprint(fingerprintOf(key)) };
      }
      case 'key-export': {
        // Under a passphrase the export needs it, locked or not (the Keyring checks it).
        const entries = await this.deps.lock.keyring.exportKeys(req.passphrase);
        // The exact bytes go as `file`: an x that libgcrypt prints as a quoted string carries
        // raw bytes 0xa1..0xff (about 1 key in 270), which a UTF-8 text would turn into U+FFFD.
        const bytes = serializePrivateKeyFile(entries);
        return { text: utf8Decode(bytes), file: base64Encode(bytes) };
      }
      case 'key-import': {
        // Parses (and checks) every key before storing any: all or nothing. A replaced key is
        // used at once (keyReplaced), not after a worker restart.
        const entries = parsePrivateKeyFile(keyFileBytes(req));
        for (const e of entries) {
          await keys.putKey(e.account, e.protocol, e.key);
          manager.keyReplaced(e.account, e.protocol);
        }
        return { imported: entries.length };
      }
      case 'key-import-preview': {
        // What an import would do, so the page can show both fingerprints before replacing a key.
        const entries = parsePrivateKeyFile(keyFileBytes(req));
        const previews = [];
        for (const e of entries) {
          const fingerprint = formatFingerprint(fingerprintOf(e.key));
          const have = await keys.getKey(e.account, e.protocol);
          const old = have ? formatFingerprint(fingerprintOf(have)) : null;
          previews.push({
            account: e.account,
            protocol: e.protocol,
            fingerprint,
            replaces: old === fingerprint ? null : old,
          });
        }
        return { keys: previews };
      }
      case 'key-regenerate': {
        const have = await keys.getPublicKey(req.account, req.protocol);
        const key = await manager.regenerateKey(req.account, req.protocol);
        return {
          fingerprint: formatFingerprint(fingerprintOf(key)),
          previous: have ? formatFingerprint(fingerprintOf(have)) : null,
        };
      }
      case 'key-delete': {
        await keys.deleteKey(req.account, req.protocol);
        manager.keyReplaced(req.account, req.protocol);
        return {};
      }
      case 'accounts-seen': {
        // Accounts of chats on allowed sites (open tabs), of known buddies and of my keys.
        const seen = new Map<string, { account: string; protocol: string; site: string | null }>();
        const add = (account: string, protocol: string, site: string | null) => {
          const id = JSON.stringify([account, protocol]);
          const had = seen.get(id);
          if (!had || (had.site === null && site !== null)) seen.set(id, { account, protocol, site });
        };
        for (const [, rec] of await this.deps.tabs.all()) {
          if (rec.conversation && rec.conversation.account !== '') {
            add(rec.conversation.account, rec.conversation.protocol, rec.origin);
          }
        }
        for (const f of await keys.listFingerprints()) add(f.account, f.protocol, null);
        // The public halves: listing names must not need the keys unlocked.
        for (const k of await keys.listPublicKeys()) add(k.account, k.protocol, null);
        return [...seen.values()];
      }
      case 'fingerprints-list':
        return (await keys.listFingerprints()).map((r) => ({
          account: r.account,
          protocol: r.protocol,
          buddy: r.buddy,
          fingerprint: formatFingerprint(hexToBytes(r.fingerprint)),
          trust: r.trust,
          lastSeen: Math.max(0, Math.floor(r.lastSeen)),
        }));
      case 'fingerprint-trust':
      case 'fingerprint-forget': {
        const hex = bytesToHex(parseFingerprint(req.fingerprint));
        const known = await keys.getFingerprints(req.account, req.protocol, req.buddy);
        const rec = known.find((r) => r.fingerprint === hex);
        if (!rec) throw new Error('no such fingerprint');
        if (req.type === 'fingerprint-forget') {
          await keys.deleteFingerprint(req.account, req.protocol, req.buddy, hex);
        } else {
          await keys.putFingerprint({ ...rec, trust: req.trust });
        }
        return {};
      }
      case 'fingerprints-export': {
        const entries = (await keys.listFingerprints()).map((r) => ({
          username: r.buddy,
          account: r.account,
          protocol: r.protocol,
          fingerprint: hexToBytes(r.fingerprint),
          trust: r.trust,
        }));
        return { text: serializeFingerprintsFile(entries) };
      }
      case 'fingerprints-import': {
        const entries = parseFingerprintsFile(req.text);
        const now = Date.now();
        for (const e of entries) {
          const hex = bytesToHex(e.fingerprint);
          const have = (await keys.getFingerprints(e.account, e.protocol, e.username)).find(
            (r) => r.fingerprint === hex,
          );
          // libotr writes any non-empty trust word; ours are '', 'verified', 'smp'.
          const trust: Trust = TRUSTS.includes(e.trust as Trust)
            ? (e.trust as Trust)
            : e.trust
              ? 'verified'
              : '';
          await keys.putFingerprint({
            account: e.account,
            protocol: e.protocol,
            buddy: e.username,
            fingerprint: hex,
            trust,
            firstSeen: have?.firstSeen ?? now,
            lastSeen: have?.lastSeen ?? now,
          });
        }
        return { imported: entries.length };
      }
      case 'sites-list':
        return (await keys.listSites()).map((s) => ({
          origin: s.origin,
          policy: s.policy,
          maxMessageLength: s.maxMessageLength ?? null,
          pacing: s.pacing ?? null,
        }));
      case 'site-policy': {
        const old = await keys.getSite(req.origin);
        await keys.putSite({ ...old, origin: req.origin, policy: req.policy });
        await manager.policyChanged();
        return {};
      }
      case 'site-remove': {
        const had = (await keys.getSite(req.origin))?.profile !== undefined;
        await keys.deleteSite(req.origin);
        if (had) await this.profileChanged(req.origin, null);
        return {};
      }
      case 'buddy-policies': {
        // Every buddy offrecord knows: known fingerprints, chats open in tabs, own policy set.
        const rows = new Map<string, BuddyPolicyInfo>();
        const add = (account: string, protocol: string, buddy: string, policy: BuddyPolicyName) => {
          const id = JSON.stringify([account, protocol, buddy]);
          if (policy !== 'default' || !rows.has(id)) rows.set(id, { account, protocol, buddy, policy });
        };
        for (const [, rec] of await this.deps.tabs.all())
          if (rec.ref) add(rec.ref.account, rec.ref.protocol, rec.ref.peer, 'default');
        for (const f of await keys.listFingerprints()) add(f.account, f.protocol, f.buddy, 'default');
        for (const p of await keys.listBuddyPolicies()) add(p.account, p.protocol, p.buddy, p.policy);
        return [...rows.values()]
          .sort((a, b) => a.buddy.localeCompare(b.buddy) || a.account.localeCompare(b.account))
          .slice(0, LIMITS.list);
      }
      case 'buddy-policy': {
        if (req.policy === 'default') await keys.deleteBuddyPolicy(req.account, req.protocol, req.buddy);
        else
          await keys.putBuddyPolicy({
            account: req.account,
            protocol: req.protocol,
            buddy: req.buddy,
            policy: req.policy,
          });
        await manager.policyChanged();
        return {};
      }
      case 'site-max-length': {
        const old = await keys.getSite(req.origin);
        const { maxMessageLength: _old, ...rest } = old ?? { origin: req.origin, policy: 'manual' as const };
        await keys.putSite(
          req.maxMessageLength === null ? rest : { ...rest, maxMessageLength: req.maxMessageLength },
        );
        return {};
      }
      case 'site-pacing': {
        const old = await keys.getSite(req.origin);
        const { pacing: _old, ...rest } = old ?? { origin: req.origin, policy: 'manual' as const };
        await keys.putSite(req.pacing === null ? rest : { ...rest, pacing: req.pacing });
        return {};
      }
      case 'picker-start': {
        const rec = await this.deps.tabs.get(req.tabId);
        if (!rec) throw new Error('offrecord is not running in that tab');
        this.pushTo(rec.connection, { type: 'start-picker' });
        return {};
      }
      case 'profile-get':
        return { profile: (await keys.getSite(req.origin))?.profile ?? null };
      case 'profile-import': {
        const profile = parseProfile(req.text);
        await this.saveProfile(profile.site, profile);
        return { origin: profile.site };
      }
      case 'profile-export': {
        const profile = (await keys.getSite(req.origin))?.profile;
        if (!profile) throw new Error(`No site profile is saved for ${req.origin}.`);
        return { text: serializeProfile(profile) };
      }
      case 'profile-remove': {
        const old = await keys.getSite(req.origin);
        if (old?.profile) {
          const { profile: _gone, ...rest } = old;
          await keys.putSite(rest);
          await this.profileChanged(req.origin, null);
        }
        return {};
      }
      case 'lock-state':
        return this.deps.lock.info();
      case 'lock-set':
        return this.deps.lock.setPassphrase(req.passphrase);
      case 'lock-unlock': {
        await this.deps.lock.unlock(req.passphrase);
        // What buddies sent meanwhile is answered now (an OTR query, the AKE).
        await this.drainHeld();
        return this.deps.lock.info();
      }
      case 'lock-now':
        return this.deps.lock.lockNow();
      case 'lock-change':
        return this.deps.lock.changePassphrase(req.oldPassphrase, req.newPassphrase);
      case 'lock-remove':
        return this.deps.lock.removePassphrase(req.passphrase);
      case 'lock-auto':
        return this.deps.lock.setAutoLock(req.autoLockSeconds);
      case 'lock-offer-dismiss':
        return this.deps.lock.dismissOffer();
      case 'panic-wipe':
        return this.panicWipe();
    }
  }

  // ---- the passphrase lock (issue 18) -------------------------------------------------------

  /**
   * A buddy's message. While locked, one that needs the engine (anything OTR, or anything in a
   * conversation with OTR state) waits in the held inbox, and so does everything after it in the
   * same conversation (order matters to OTR); nothing is answered, so nothing goes out in clear.
   * False when the message was dropped: `admit` (the tab's rate limit) refused a message not
   * processed before, or the held inbox was full.
   */
  private async receiveOrHold(
    tabId: number,
    ref: ConversationRef,
    msg: { id: string; text: string },
    admit: () => boolean,
  ): Promise<boolean> {
    const { manager, lock } = this.deps;
    const id = conversationId(ref);
    const waiting = await lock.inbox.has((r) => conversationId(r) === id);
    if (!waiting) {
      try {
        const fx = await manager.receiveIf(ref, msg, admit);
        if (!fx) return false;
        // Processed before: nothing changed, nothing to tell anyone.
        if (fx !== 'seen') await this.apply(tabId, ref, fx);
        return true;
      } catch (e) {
        if (!(e instanceof KeyLockedError)) throw e;
      }
    }
    // A full inbox drops the message: counted like one over the rate limit (false).
    if (!(await lock.inbox.add({ tabId, ref, msg, at: Date.now() }))) return false;
    this.lockChanged(await lock.info());
    return true;
  }

  /** After an unlock (or a worker start while unlocked): feeds the held messages in order. */
  async drainHeld(): Promise<void> {
    const { manager, lock } = this.deps;
    for (;;) {
      const h = await lock.inbox.first();
      if (!h) break;
      let fx: Effects | null = null;
      try {
        fx = await manager.receive(h.ref, h.msg);
      } catch (e) {
        if (e instanceof KeyLockedError) return;
        // Any other failure is this message's alone: it is dropped, the others go on.
      }
      await lock.inbox.shift();
      if (fx) await this.apply(h.tabId, h.ref, fx);
    }
    this.lockChanged(await lock.info());
  }

  /** The lock changed: popup, options and panel redraw. */
  lockChanged(info: LockInfo): void {
    const event: PushEvent = { type: 'lock', lock: info };
    for (const l of this.listeners.values())
      if (l.rights.kind === 'page' || l.rights.kind === 'panel') this.post(l, event);
  }

  /**
   * Panic wipe: every encrypted conversation is ended (TLV 1 to the buddy, through a tab that
   * shows the chat), the pages get a moment to hand those lines to their sites, then keys,
   * fingerprints and trust, instance tags, site settings and profiles, transcripts, session state
   * and settings are erased. The report counts what was there.
   */
  async panicWipe(): Promise<WipeReport> {
    const { manager, sessions, tabs, lock } = this.deps;
    const ids = await sessions.list();
    // Counted in the store's index: the transcripts themselves are erased unread.
    const transcriptEntries = (await sessions.usage()).entries;
    const tabRefs = (await tabs.all()).map(([, r]) => r.ref).filter((r): r is ConversationRef => r !== null);
    let ended = 0;
    let unreachable = 0;
    const sent: ConversationRef[] = [];
    for (const id of ids) {
      const ref = tabRefs.find((r) => conversationId(r) === id) ?? parseConversationId(id);
      if (!ref) continue;
      let fx: Effects | null = null;
      try {
        fx = await manager.endForWipe(ref);
      } catch {
        // An unusable session is erased below all the same.
      }
      if (!fx) continue;
      const showing = await this.tabsShowing(ref);
      if (showing.length === 0) {
        unreachable++;
        continue;
      }
      await this.apply(showing[0]![0], ref, fx);
      ended++;
      sent.push(ref);
    }
    const deadline = Date.now() + (this.deps.wipeWaitMs ?? 5000);
    while (sent.length > 0 && Date.now() < deadline) {
      const left = await Promise.all(sent.map((r) => manager.pending(r)));
      if (left.every((l) => l.length === 0)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // The pages leave private mode. (A page keeps reading with a site profile it has until it
    // reloads: telling it now would make it report its chat again, and a new key be made.)
    for (const [tabId, rec] of await tabs.all()) {
      this.pushTo(rec.connection, { type: 'private-mode', on: false, reason: null });
      await this.draw(tabId, 'ready', '');
    }
    // Operations still running (a page's batch that loaded its record before the erase) store
    // nothing from here on, and are waited for: nothing they held is written back afterwards.
    await manager.beginWipe();
    let counts: Awaited<ReturnType<typeof lock.wipeAll>>;
    let settings: number;
    try {
      for (const id of await sessions.list()) await sessions.remove(id);
      counts = await lock.wipeAll();
      settings = await this.deps.eraseStorage();
    } finally {
      manager.endWipe();
    }
    this.lockChanged(await lock.info());
    return { ended, unreachable, conversations: ids.length, transcriptEntries, settings, ...counts };
  }

  private async status(tabId: number | null): Promise<StatusResult> {
    const rec = tabId === null ? null : await this.deps.tabs.get(tabId);
    const status = rec?.ref ? await this.deps.manager.status(rec.ref) : null;
    const conv = rec?.conversation ?? null;
    const keygen = conv
      ? (this.keygen.get(JSON.stringify([conv.account, conv.protocol])) ?? null)
      : ([...this.keygen.values()][0] ?? null);
    return {
      tab:
        tabId === null
          ? null
          : rec
            ? {
                tabId,
                connected: true,
                url: rec.url,
                badge: status ? badgeFor(status) : rec.badge,
                alert: status ? alertFor(status) : '',
                ...(rec.dropped ? { dropped: rec.dropped } : {}),
              }
            : { tabId, connected: false, url: null, badge: 'off', alert: '' },
      counter: await this.deps.counter.get(),
      invalidMessages: this.deps.stats.invalidMessages,
      sites: await this.deps.grantedSites(),
      site: rec ? { origin: rec.origin, enabled: await this.deps.siteEnabled(rec.origin) } : null,
      conversation: conv,
      status,
      keygen,
      page: rec?.page ?? null,
      lock: await this.deps.lock.info(),
    };
  }

  /** Stores a site's profile (keeping its policy) and tells the site's open pages. */
  private async saveProfile(origin: string, profile: SiteProfile): Promise<void> {
    const old = await this.deps.keys.getSite(origin);
    await this.deps.keys.putSite({ origin, policy: old?.policy ?? 'manual', profile });
    await this.profileChanged(origin, profile);
  }

  private async profileChanged(origin: string, profile: SiteProfile | null): Promise<void> {
    for (const [, rec] of await this.deps.tabs.all())
      if (rec.origin === origin) this.pushTo(rec.connection, { type: 'profile-changed', profile });
  }

  // ---- helpers ---------------------------------------------------------------------------

  private async refOf(tabId: number): Promise<ConversationRef> {
    const rec = await this.deps.tabs.get(tabId);
    if (!rec) throw new Error('offrecord is not running in that tab');
    if (!rec.ref) throw new Error(rec.conversation?.reason ?? t('ui_reasonNoChatInTab'));
    return rec.ref;
  }

  /** Private mode on for the tab's conversation (popup, panel, keyboard command, in-page button). */
  async goPrivate(tabId: number, bound?: ConversationRef): Promise<ConversationStatus> {
    const rec = await this.deps.tabs.get(tabId);
    const ref = bound ?? (await this.refOf(tabId));
    const reason = rec?.conversation?.reason ?? null;
    if (reason !== null) throw new Error(reason);
    let fx: Effects;
    try {
      fx = await this.deps.manager.goPrivate(ref);
    } catch (e) {
      if (!(e instanceof PolicyRefusedError)) throw e;
      // In the user's words: whose setting says no, and where to change it.
      throw new Error(
        e.by === 'buddy' ? t('ui_policyNeverBuddy', ref.peer) : t('ui_policyNeverSite', ref.site),
      );
    }
    await this.apply(tabId, ref, fx);
    return fx.status;
  }

  private async op(
    tabId: number,
    ref: ConversationRef,
    f: (ref: ConversationRef) => Promise<Effects>,
  ): Promise<{ status: ConversationStatus }> {
    const fx = await f(ref);
    await this.apply(tabId, ref, fx);
    return { status: fx.status };
  }

  /** Tabs (with their content script's connection) that show this conversation. */
  private async tabsShowing(ref: ConversationRef): Promise<[number, TabRecord][]> {
    const id = conversationId(ref);
    return (await this.deps.tabs.all()).filter(([, r]) => r.ref !== null && conversationId(r.ref) === id);
  }

  /**
   * Hands an operation's effects out: wire lines to ONE tab's content script (the one that
   * caused them if it shows the chat — two tabs must not both send), plaintext to the panels
   * showing a tab with the chat, status to panels, popup and badges.
   */
  private async apply(originTab: number, ref: ConversationRef, fx: Effects): Promise<void> {
    const showing = await this.tabsShowing(ref);
    if (fx.wire.length > 0) {
      const sender = showing.find(([t]) => t === originTab) ?? showing[0];
      if (sender) this.pushTo(sender[1].connection, { type: 'send-wire', lines: fx.wire });
      // No tab shows the chat: the lines stay in the outbox until one reports it.
    }
    if (fx.transcript.length > 0) {
      const conv = conversationId(ref);
      for (const [tabId] of showing)
        this.pushPanels(tabId, { type: 'transcript', tabId, conv, entries: fx.transcript });
    }
    for (const n of fx.notices) {
      if (n.kind === 'smp' && n.result === 'question') {
        for (const [tabId] of showing) {
          const question = n.question ?? null;
          this.pushPages({ type: 'smp-request', tabId, question });
          if (!this.hasPages()) this.deps.notifySmp?.(tabId, question);
        }
      }
    }
    for (const [tabId, rec] of showing) {
      const on = fx.status.privateMode && rec.conversation?.reason === null;
      if (on !== rec.privateMode) {
        await this.noteTab(tabId, (old) => (old ? { ...old, privateMode: on } : old));
        this.pushTo(rec.connection, { type: 'private-mode', on, reason: rec.conversation?.reason ?? null });
      }
    }
    await this.publishStatus(ref, fx.status, showing);
  }

  private async publishStatus(
    ref: ConversationRef,
    status: ConversationStatus,
    showing?: [number, TabRecord][],
  ): Promise<void> {
    for (const [tabId, rec] of showing ?? (await this.tabsShowing(ref))) {
      this.pushPanels(tabId, { type: 'status', status: withDropped(status, rec), tabId });
      this.pushPages({ type: 'status', status, tabId });
      await this.badge(tabId, status);
    }
  }

  private async badge(tabId: number, status: ConversationStatus | null): Promise<void> {
    const badge = badgeFor(status);
    const alert = alertFor(status);
    if (this.drawn.get(tabId) === `${badge}|${alert}`) return;
    await this.noteTab(tabId, (old) => (old ? { ...old, badge, alert } : old));
    await this.draw(tabId, badge, alert);
  }

  /**
   * A few bytes more in a tab's record (a count, a flag) as a side note of another operation:
   * should the tab table be at its budget, the note is lost, never the operation (another tab's
   * message that caused it).
   */
  private async noteTab(
    tabId: number,
    fn: (old: TabRecord | null) => TabRecord | null,
  ): Promise<TabRecord | null> {
    try {
      return await this.deps.tabs.update(tabId, fn);
    } catch (e) {
      if (!(e instanceof BudgetError)) throw e;
      return this.deps.tabs.get(tabId);
    }
  }

  /** Whether a panel shows this tab. */
  private watched(tabId: number): boolean {
    for (const l of this.listeners.values()) if (l.rights.kind === 'panel' && l.watch === tabId) return true;
    return false;
  }

  private async draw(tabId: number, badge: BadgeStatus, alert: BadgeAlert): Promise<void> {
    this.drawn.set(tabId, `${badge}|${alert}`);
    await this.deps.setBadge(tabId, badge, alert);
  }

  private post(l: Listener, event: PushEvent): void {
    try {
      l.target.post({ type: 'push', event });
    } catch {
      // The port closed meanwhile; its client reconnects and asks again.
    }
  }

  private pushTo(connection: string, event: PushEvent): void {
    const l = this.listeners.get(connection);
    if (l?.rights.kind === 'content') this.post(l, event);
  }

  /** To the panels showing tab `tabId` (the only place plaintext goes, I1). */
  private pushPanels(tabId: number, event: PushEvent): void {
    for (const l of this.listeners.values())
      if (l.rights.kind === 'panel' && l.watch === tabId) this.post(l, event);
  }

  private hasPages(): boolean {
    return [...this.listeners.values()].some((l) => l.rights.kind === 'page' || l.rights.kind === 'panel');
  }

  private pushPages(event: PushEvent): void {
    for (const l of this.listeners.values()) if (l.rights.kind === 'page') this.post(l, event);
  }
}

/** A conversation's status as a panel showing this tab sees it: with the tab's dropped messages (I8). */
function withDropped(status: ConversationStatus, rec: TabRecord | null | undefined): ConversationStatus {
  const dropped = rec?.dropped ?? 0;
  if (dropped === 0 || !status.limits) return status;
  return { ...status, limits: { ...status.limits, dropped } };
}

/** The bytes of a key file sent for import, as the page sent them (text or exact bytes). */
function keyFileBytes(req: { text: string; encoding: KeyFileEncoding }): Uint8Array {
  if (req.encoding === 'text') return utf8Encode(req.text);
  const bytes = base64Decode(req.text);
  if (!bytes) fail('bad-key-file', 'otr.private_key: the file did not arrive as valid base64');
  return bytes;
}
