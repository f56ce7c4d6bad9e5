/**
 * An XMPP tap for the Converse e2e suites: a TCP relay in front of Prosody's HTTP port that
 * decodes the websocket frames both ways (RFC 6455; client frames unmasked here) and records every
 * stanza, so a test can read exactly what the XMPP server carried between the browsers: the
 * `<body>` of every `<message>`, per connection, labelled with the full JID Prosody bound it to.
 * Converse connects to `websocketUrl` of the tap instead of Prosody's.
 */
import { startTcpRelay } from './tcp-relay.js';

export interface TappedStanza {
  /** 'up': a browser → Prosody; 'down': Prosody → a browser. */
  dir: 'up' | 'down';
  /** Connection number (one per websocket). */
  conn: number;
  text: string;
}

export interface TappedMessage {
  /** Index of the stanza in `stanzas`. */
  index: number;
  dir: 'up' | 'down';
  conn: number;
  /** The full JID Prosody bound that connection to ('' before the bind). */
  client: string;
  to: string;
  from: string;
  type: string;
  /** The message's own `<body>`, XML entities decoded; null when it has none. */
  body: string | null;
  /** A carbon copy (XEP-0280) or other forwarded message: the body is the inner message's. */
  forwarded: boolean;
}

export interface XmppTap {
  port: number;
  /** `ws://127.0.0.1:PORT/xmpp-websocket` through the tap. */
  websocketUrl: string;
  stanzas: TappedStanza[];
  /** Every `<message>` stanza, in the order the tap saw them. */
  messages(): TappedMessage[];
  /** The full JID of connection `conn`, once bound. */
  clientOf(conn: number): string;
  close(): Promise<void>;
}

const MAX_FRAME = 16 * 1024 * 1024;

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#x[0-9a-fA-F]+|#[0-9]+);/g, (_, e: string) => {
    switch (e) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default:
        return String.fromCodePoint(
          e.startsWith('#x') ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)),
        );
    }
  });
}

function attr(tag: string, name: string): string {
  const m = new RegExp(`\\s${name}=(?:"([^"]*)"|'([^']*)')`).exec(tag);
  return unescapeXml(m?.[1] ?? m?.[2] ?? '');
}

/** Decodes one direction of one websocket connection: HTTP head first, then frames. */
function frameDecoder(onText: (text: string) => void): (chunk: Buffer) => void {
  let buf = Buffer.alloc(0);
  let headDone = false;
  let partial: Buffer[] = [];
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    if (!headDone) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      headDone = true;
      buf = buf.subarray(end + 4);
    }
    for (;;) {
      if (buf.length < 2) return;
      const b0 = buf[0] as number;
      const b1 = buf[1] as number;
      const opcode = b0 & 0x0f;
      const fin = (b0 & 0x80) !== 0;
      const masked = (b1 & 0x80) !== 0;
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        const big = buf.readBigUInt64BE(2);
        if (big > BigInt(MAX_FRAME)) throw new Error(`tap: websocket frame of ${big} bytes`);
        len = Number(big);
        off = 10;
      }
      const keyAt = off;
      if (masked) off += 4;
      if (buf.length < off + len) return;
      const payload = Buffer.from(buf.subarray(off, off + len));
      if (masked)
        for (let i = 0; i < payload.length; i++)
          payload[i] = (payload[i] as number) ^ (buf[keyAt + (i % 4)] as number);
      buf = buf.subarray(off + len);
      if (opcode >= 8) continue; // close, ping, pong
      if (opcode !== 0) partial = [];
      partial.push(payload);
      if (fin) {
        onText(Buffer.concat(partial).toString('utf8'));
        partial = [];
      }
    }
  };
}

/** Starts the tap in front of Prosody's HTTP (websocket) port. */
export async function startXmppTap(httpPort: number): Promise<XmppTap> {
  const stanzas: TappedStanza[] = [];
  const clients = new Map<number, string>();
  const relay = await startTcpRelay(httpPort, (conn) => {
    const record = (dir: 'up' | 'down') =>
      frameDecoder((text) => {
        stanzas.push({ dir, conn, text });
        if (dir === 'down') {
          const bound = /<bind[^>]*>\s*<jid>([^<]+)<\/jid>/.exec(text);
          if (bound?.[1]) clients.set(conn, unescapeXml(bound[1]));
        }
      });
    return { up: record('up'), down: record('down') };
  });
  const clientOf = (conn: number) => clients.get(conn) ?? '';
  return {
    port: relay.port,
    websocketUrl: `ws://127.0.0.1:${relay.port}/xmpp-websocket`,
    stanzas,
    clientOf,
    messages() {
      const out: TappedMessage[] = [];
      for (const [index, s] of stanzas.entries()) {
        const open = /^\s*<message\b[^>]*>/.exec(s.text);
        if (!open) continue;
        const forwarded = /<forwarded\b/.test(s.text);
        const body = /<body\b[^>]*>([\s\S]*?)<\/body>/.exec(s.text);
        out.push({
          index,
          dir: s.dir,
          conn: s.conn,
          client: clientOf(s.conn),
          to: attr(open[0], 'to'),
          from: attr(open[0], 'from'),
          type: attr(open[0], 'type'),
          body: body?.[1] !== undefined ? unescapeXml(body[1]) : null,
          forwarded,
        });
      }
      return out;
    },
    close: relay.close,
  };
}
