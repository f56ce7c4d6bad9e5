/**
 * A small raw-TCP IRC client for the e2e tests: a third user on ngircd that can talk, and a
 * witness of what the IRC server actually carried (every PRIVMSG it receives, byte for byte).
 */
import { Socket } from 'node:net';

export interface IrcLine {
  /** The line as received, without CR LF. */
  raw: string;
  /** Its length in bytes on the wire, without CR LF. */
  bytes: number;
  prefix: string;
  /** Nick part of the prefix ('' if none). */
  nick: string;
  command: string;
  params: string[];
}

export interface IrcPrivmsg {
  from: string;
  target: string;
  text: string;
  /** Byte length of the whole relayed line (prefix included, CR LF excluded). */
  lineBytes: number;
  at: number;
}

/** Parses one IRC line (RFC 1459 shape: [:prefix] command params [:trailing]). */
export function parseIrcLine(raw: string): IrcLine {
  let rest = raw;
  let prefix = '';
  if (rest.startsWith(':')) {
    const sp = rest.indexOf(' ');
    prefix = sp < 0 ? rest.slice(1) : rest.slice(1, sp);
    rest = sp < 0 ? '' : rest.slice(sp + 1);
  }
  const params: string[] = [];
  let command = '';
  while (rest.length > 0) {
    if (rest.startsWith(':') && command !== '') {
      params.push(rest.slice(1));
      break;
    }
    const sp = rest.indexOf(' ');
    const word = sp < 0 ? rest : rest.slice(0, sp);
    rest = sp < 0 ? '' : rest.slice(sp + 1);
    if (word === '') continue;
    if (command === '') command = word.toUpperCase();
    else params.push(word);
  }
  const bang = prefix.indexOf('!');
  const nick = bang < 0 ? (prefix.includes('.') ? '' : prefix) : prefix.slice(0, bang);
  return { raw, bytes: Buffer.byteLength(raw, 'utf8'), prefix, nick, command, params };
}

export class IrcClient {
  readonly lines: IrcLine[] = [];
  readonly privmsgs: IrcPrivmsg[] = [];
  private readonly socket = new Socket();
  private buffer = Buffer.alloc(0);
  private closed = false;
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly port: number,
    public nick: string,
  ) {}

  /** Connects to 127.0.0.1:port and registers as `nick`; resolves after the server's welcome (001). */
  static async connect(opts: {
    port: number;
    nick: string;
    user?: string;
    timeoutMs?: number;
  }): Promise<IrcClient> {
    const client = new IrcClient(opts.port, opts.nick);
    await new Promise<void>((resolve, reject) => {
      client.socket.once('error', reject);
      client.socket.connect(opts.port, '127.0.0.1', () => {
        client.socket.off('error', reject);
        resolve();
      });
    });
    client.socket.on('data', (chunk: Buffer) => client.onData(chunk));
    client.socket.on('error', () => client.onClose());
    client.socket.on('close', () => client.onClose());
    client.send(`NICK ${opts.nick}`);
    client.send(`USER ${opts.user ?? 'witness'} 0 * :offrecord test client`);
    await client.waitForLine((l) => l.command === '001', opts.timeoutMs ?? 15_000, 'welcome (001)');
    return client;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends one raw line; refuses lines over IRC's 512 bytes (CR LF included), which ngircd answers by disconnecting. */
  send(line: string): void {
    if (/[\r\n]/.test(line)) throw new Error('IRC line must not contain CR or LF');
    const bytes = Buffer.byteLength(line, 'utf8') + 2;
    if (bytes > 512) throw new Error(`IRC line of ${bytes} bytes is over 512`);
    if (this.closed) throw new Error('IRC connection is closed');
    this.socket.write(`${line}\r\n`);
  }

  /** Sends a line without the 512-byte guard (to test the server's reaction). */
  sendUnchecked(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  privmsg(target: string, text: string): void {
    this.send(`PRIVMSG ${target} :${text}`);
  }

  async join(channel: string, timeoutMs = 15_000): Promise<void> {
    this.send(`JOIN ${channel}`);
    await this.waitForLine(
      (l) =>
        l.command === 'JOIN' && l.nick === this.nick && l.params[0]?.toLowerCase() === channel.toLowerCase(),
      timeoutMs,
      `JOIN ${channel}`,
    );
  }

  /** Which of `nicks` are online (ISON). */
  async ison(nicks: string[], timeoutMs = 10_000): Promise<string[]> {
    const from = this.lines.length;
    this.send(`ISON ${nicks.join(' ')}`);
    const reply = await this.waitForLine((l) => l.command === '303', timeoutMs, 'ISON reply (303)', from);
    return (reply.params[1] ?? '').split(' ').filter((n) => n !== '');
  }

  /** Resolves with the first line (from index `from` on) that matches. */
  waitForLine(
    match: (l: IrcLine) => boolean,
    timeoutMs = 15_000,
    what = 'IRC line',
    from = 0,
  ): Promise<IrcLine> {
    return this.waitUntil(() => this.lines.slice(from).find(match), timeoutMs, what);
  }

  /** Resolves with the first recorded PRIVMSG that matches (already received ones count). */
  waitForMessage(
    match: (m: IrcPrivmsg) => boolean,
    timeoutMs = 15_000,
    what = 'PRIVMSG',
  ): Promise<IrcPrivmsg> {
    return this.waitUntil(() => this.privmsgs.find(match), timeoutMs, what);
  }

  /** Resolves once at least `count` recorded PRIVMSGs match. */
  waitForMessages(
    match: (m: IrcPrivmsg) => boolean,
    count: number,
    timeoutMs = 15_000,
  ): Promise<IrcPrivmsg[]> {
    return this.waitUntil(
      () => {
        const found = this.privmsgs.filter(match);
        return found.length >= count ? found : undefined;
      },
      timeoutMs,
      `${count} PRIVMSGs`,
    );
  }

  async quit(): Promise<void> {
    if (this.closed) return;
    try {
      this.send('QUIT :bye');
    } catch {
      // closed meanwhile
    }
    await this.waitUntil(() => (this.closed ? true : undefined), 5000, 'close').catch(() =>
      this.socket.destroy(),
    );
    this.socket.destroy();
  }

  private waitUntil<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const waiter = () => {
        const value = check();
        if (value !== undefined) {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(value);
        } else if (this.closed) {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          reject(new Error(`IRC connection of ${this.nick} closed while waiting for ${what}`));
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`${this.nick}: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.notify();
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const nl = this.buffer.indexOf(0x0a);
      if (nl < 0) break;
      let end = nl;
      if (end > 0 && this.buffer[end - 1] === 0x0d) end -= 1;
      const raw = this.buffer.subarray(0, end).toString('utf8');
      this.buffer = this.buffer.subarray(nl + 1);
      this.onLine(parseIrcLine(raw));
    }
    this.notify();
  }

  private onLine(line: IrcLine): void {
    this.lines.push(line);
    if (line.command === 'PING') {
      this.send(`PONG :${line.params[0] ?? ''}`);
    } else if (line.command === 'NICK' && line.nick === this.nick && line.params[0]) {
      this.nick = line.params[0];
    } else if (line.command === 'PRIVMSG' && line.params.length >= 2) {
      this.privmsgs.push({
        from: line.nick,
        target: line.params[0] ?? '',
        text: line.params[1] ?? '',
        lineBytes: line.bytes,
        at: Date.now(),
      });
    }
  }
}
