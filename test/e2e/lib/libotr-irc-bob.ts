// Bob as a real OTR client on IRC, for the Lounge suites: libotr 4.1.1 (test/interop's C peer)
// bridged to an IRC server by a small client. Every PRIVMSG Alice sends him goes to libotr in
// order; every wire line libotr produces goes back to her as a PRIVMSG.

import type { Peer, PeerEvent } from '../../interop/lib/peer.js';
import { startLibotrPeer } from '../../interop/lib/start.js';
import { IrcClient } from './irc-client.js';

export interface LibotrIrcBob {
  readonly peer: Peer;
  /** Bob's IRC connection: `privmsgs` is everything he got. */
  readonly irc: IrcClient;
  /** What libotr showed Bob, in order. */
  readonly read: { text: string; encrypted: boolean }[];
  /** libotr's message states, in order ('encrypted', 'finished', …). */
  readonly states: string[];
  /** Runs one libotr op; its wire lines go to Alice. */
  run(op: Parameters<Peer['op']>[0]): Promise<PeerEvent[]>;
  close(): Promise<void>;
}

export async function startLibotrIrcBob(opts: {
  nick: string;
  aliceNick: string;
  ircPort: number;
}): Promise<LibotrIrcBob> {
  const peer = await startLibotrPeer({
    account: opts.nick,
    protocol: 'prpl-irc',
    policy: 'manual',
    maxMessage: 350,
  });
  let irc: IrcClient;
  try {
    irc = await IrcClient.connect({ port: opts.ircPort, nick: opts.nick });
  } catch (e) {
    await peer.close().catch(() => undefined);
    throw e;
  }
  const read: { text: string; encrypted: boolean }[] = [];
  const states: string[] = [];
  const run = async (op: Parameters<Peer['op']>[0]): Promise<PeerEvent[]> => {
    const events = await peer.op(op);
    for (const e of events) {
      if (e.event === 'wire') irc.privmsg(opts.aliceNick, e.wire);
      else if (e.event === 'message') read.push({ text: e.text, encrypted: e.encrypted });
      else if (e.event === 'state') states.push(e.state);
    }
    return events;
  };
  let bridging = true;
  let seen = 0;
  const bridge = (async () => {
    while (bridging) {
      while (seen < irc.privmsgs.length) {
        const m = irc.privmsgs[seen++];
        if (m && m.from === opts.aliceNick) await run({ op: 'receive', peer: opts.aliceNick, wire: m.text });
      }
      await new Promise((r) => setTimeout(r, 30));
    }
  })();
  return {
    peer,
    irc,
    read,
    states,
    run,
    close: async () => {
      bridging = false;
      await bridge.catch(() => undefined);
      await irc.quit().catch(() => undefined);
      await peer.close().catch(() => undefined);
    },
  };
}
