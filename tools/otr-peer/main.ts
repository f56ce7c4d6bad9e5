/**
 * otr-peer: one offrecord OTR engine over stdin/stdout, one JSON object per line, so any process
 * (libotr's C peer through a relay, benchmarks, the extension's e2e tests) can talk to it.
 * The contract is stable; see `--help` and issue 3/4. Run: npm run --silent otr-peer -- [options]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { bytesToHex, hexToBytes } from '../../src/crypto/bytes';
import type { DsaPrivateKey } from '../../src/crypto/dsa';
import { generateDsaKey } from '../../src/crypto/dsa-keygen';
import { cryptoRandom } from '../../src/crypto/random';
import { POLICY_PRESETS, type PolicyName, policyFor } from '../../src/otr/policy';
import { fingerprint, formatFingerprint } from '../../src/otr/pubkey';
import { Session, type SessionEvent } from '../../src/otr/session';
import { FingerprintBook } from './fingerprints';
import { readAccountKey, writeAccountKey } from './keyfile-io';

const HELP = `otr-peer: an offrecord OTR engine speaking JSON lines on stdin/stdout

Options:
  --account NAME        our account name (default alice)
  --protocol NAME       our protocol name (default prpl-irc)
  --key FILE            libotr-format otr.private_key; a new key is generated and written when missing
  --fingerprints FILE   libotr-format otr.fingerprints to read trust from and write back to (optional)
  --policy P            never | manual | opportunistic | always (default opportunistic)
  --versions 2,3        protocol versions allowed (default 2,3)
  --max-message N       fragment lines longer than N characters (default: no limit)
  --instance-tag HEX    our instance tag (default: random, >= 0x100)
  --help                this text

Input, one JSON object per line:
  {"op":"query","peer":P}            {"op":"send","peer":P,"text":T}
  {"op":"receive","peer":P,"wire":W} {"op":"end","peer":P}
  {"op":"smp","peer":P,"secret":S,"question":Q?}  {"op":"smp-answer","peer":P,"secret":S}
  {"op":"smp-abort","peer":P}        {"op":"symkey","peer":P,"use":N,"usedata":HEX}
  {"op":"persist","peer":P}          snapshot the session, through JSON, and go on with its restored copy

Output: first {"event":"ready","fingerprint":F,"instanceTag":H}; then for each input line, in order:
  {"event":"wire","peer":P,"wire":W}  one per line to send over the network
  {"event":"message","peer":P,"text":T,"encrypted":bool}
  {"event":"state","peer":P,"state":"plaintext|encrypted|finished","version":N,"fingerprint":F,"trusted":bool}
  {"event":"smp","peer":P,"result":"question|succeeded|failed|aborted|error","question":Q}
  {"event":"symkey","peer":P,"use":N,"usedata":HEX,"key":HEX}
  {"event":"held","peer":P,"text":T}   {"event":"not-sent","peer":P,"text":T,"reason":R}
  {"event":"error","peer":P,"message":M}
  {"event":"persisted","peer":P,"bytes":N}  after persist: the snapshot's size in JSON
and last {"event":"done"}. A malformed input line gets an error event, never a crash.
`;

interface Options {
  account: string;
  protocol: string;
  key?: string;
  fingerprints?: string;
  policy: PolicyName;
  versions: number[];
  maxMessage: number;
  instanceTag?: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    account: 'alice',
    protocol: 'prpl-irc',
    policy: 'opportunistic',
    versions: [2, 3],
    maxMessage: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        process.exit(0);
        break;
      case '--account':
        o.account = val();
        break;
      case '--protocol':
        o.protocol = val();
        break;
      case '--key':
        o.key = val();
        break;
      case '--fingerprints':
        o.fingerprints = val();
        break;
      case '--policy': {
        const p = val();
        if (!(p in POLICY_PRESETS)) throw new Error(`unknown policy ${p}`);
        o.policy = p as PolicyName;
        break;
      }
      case '--versions':
        o.versions = val()
          .split(',')
          .map((v) => Number(v.trim()));
        if (o.versions.some((v) => v !== 2 && v !== 3)) throw new Error('--versions takes 2, 3 or 2,3');
        break;
      case '--max-message':
        o.maxMessage = Number(val());
        if (!Number.isInteger(o.maxMessage) || o.maxMessage < 0)
          throw new Error('--max-message takes a whole number');
        break;
      case '--instance-tag': {
        const t = Number.parseInt(val(), 16);
        if (!Number.isInteger(t) || t < 0x100 || t > 0xffffffff)
          throw new Error('--instance-tag must be hex >= 100');
        o.instanceTag = t;
        break;
      }
      default:
        throw new Error(`unknown option ${a}`);
    }
  }
  return o;
}

async function loadKey(o: Options): Promise<DsaPrivateKey> {
  if (o.key && existsSync(o.key)) {
    const key = readAccountKey(readFileSync(o.key), o.account, o.protocol);
    if (key) return key;
  }
  const key = await generateDsaKey();
  if (o.key) {
    const existing = existsSync(o.key) ? new Uint8Array(readFileSync(o.key)) : null;
    writeFileSync(o.key, writeAccountKey(existing, o.account, o.protocol, key), { mode: 0o600 });
  }
  return key;
}

function randomInstanceTag(): number {
  for (;;) {
    const b = cryptoRandom(4);
    const t = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    if (t >= 0x100) return t;
  }
}

async function main(): Promise<void> {
  let o: Options;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`otr-peer: ${(e as Error).message}\n${HELP}`);
    process.exit(2);
  }
  const key = await loadKey(o);
  const instanceTag = o.instanceTag ?? randomInstanceTag();
  const book = new FingerprintBook(o.fingerprints);
  const policy = policyFor(o.policy, o.versions);
  const sessions = new Map<string, Session>();
  const options = (peer: string) => ({
    account: o.account,
    protocol: o.protocol,
    peer,
    privateKey: key,
    instanceTag,
    policy,
    maxMessageSize: o.maxMessage,
  });
  const session = (peer: string) => {
    let s = sessions.get(peer);
    if (!s) {
      s = new Session(options(peer));
      sessions.set(peer, s);
    }
    return s;
  };

  let outBuf = '';
  const emit = (obj: Record<string, unknown>) => {
    outBuf += `${JSON.stringify(obj)}\n`;
  };
  const flush = () => {
    process.stdout.write(outBuf);
    outBuf = '';
  };

  const report = (peer: string, events: SessionEvent[]) => {
    for (const e of events) {
      switch (e.type) {
        case 'message':
          emit({ event: 'message', peer, text: e.text, encrypted: e.encrypted });
          break;
        case 'state': {
          const fp = e.fingerprint ?? session(peer).status.fingerprint;
          if (e.state === 'encrypted' && fp) book.seen(o.account, o.protocol, peer, fp);
          emit({
            event: 'state',
            peer,
            state: e.state,
            version: e.version,
            fingerprint: fp ? formatFingerprint(fp) : null,
            trusted: fp ? book.trusted(o.account, o.protocol, peer, fp) : false,
          });
          break;
        }
        case 'smp': {
          // libotr's rule: success trusts the buddy, except for the side that answered a question.
          // A final step that fails, or is cheated on (an error at the last step), clears the trust.
          const fp = session(peer).status.fingerprint;
          const final =
            e.result === 'succeeded' || e.result === 'failed' || (e.result === 'error' && e.final === true);
          if (fp && final && (e.initiator || !e.withQuestion)) {
            book.setTrust(o.account, o.protocol, peer, fp, e.result === 'succeeded' ? 'smp' : '');
          }
          emit({ event: 'smp', peer, result: e.result, question: e.question ?? null });
          if (fp && final) {
            // The trust may have changed: state events carry the buddy's current trust.
            const st = session(peer).status;
            emit({
              event: 'state',
              peer,
              state: st.state,
              version: st.version,
              fingerprint: formatFingerprint(fp),
              trusted: book.trusted(o.account, o.protocol, peer, fp),
            });
          }
          break;
        }
        case 'symkey':
          emit({ event: 'symkey', peer, use: e.use, usedata: bytesToHex(e.usedata), key: bytesToHex(e.key) });
          break;
        case 'held':
          emit({ event: 'held', peer, text: e.text });
          break;
        case 'not-sent':
          emit({ event: 'not-sent', peer, text: e.text, reason: e.reason });
          break;
        case 'otr-error':
          emit({ event: 'error', peer, message: `OTR Error: ${e.message}` });
          break;
        case 'error':
          emit({ event: 'error', peer, message: e.message });
          break;
        case 'ignored':
          break;
      }
    }
  };

  const handle = (line: string) => {
    let op: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(line);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      op = parsed as Record<string, unknown>;
    } catch {
      emit({ event: 'error', peer: null, message: 'malformed input line: not a JSON object' });
      return;
    }
    const peer = op.peer;
    if (typeof peer !== 'string' || peer.length === 0) {
      emit({ event: 'error', peer: null, message: 'missing "peer"' });
      return;
    }
    const str = (name: string): string => {
      const v = op[name];
      if (typeof v !== 'string') throw new Error(`missing "${name}"`);
      return v;
    };
    try {
      const s = session(peer);
      let out: { wire: string[]; events: SessionEvent[] };
      switch (op.op) {
        case 'query':
          out = s.query();
          break;
        case 'send':
          out = s.send(str('text'));
          break;
        case 'receive':
          out = s.receive(str('wire'));
          break;
        case 'end':
          out = s.end();
          break;
        case 'smp':
          out = s.startSmp(str('secret'), typeof op.question === 'string' ? op.question : undefined);
          break;
        case 'smp-answer':
          out = s.answerSmp(str('secret'));
          break;
        case 'smp-abort':
          out = s.abortSmp();
          break;
        case 'persist':
          // What a worker restart does to the extension's session: snapshot, through JSON, restore.
          {
            const json = JSON.stringify(s.snapshot());
            sessions.set(peer, Session.restore(JSON.parse(json), options(peer)));
            emit({ event: 'persisted', peer, bytes: json.length });
          }
          out = { wire: [], events: [] };
          break;
        case 'symkey': {
          const use = Number(op.use);
          if (!Number.isInteger(use) || use < 0 || use > 0xffffffff)
            throw new Error('"use" must be a 32-bit number');
          const r = s.extraSymmetricKey(use, hexToBytes(typeof op.usedata === 'string' ? op.usedata : ''));
          out = r;
          emit({ event: 'symkey', peer, use, usedata: op.usedata ?? '', key: bytesToHex(r.key) });
          break;
        }
        default:
          throw new Error(`unknown op ${JSON.stringify(op.op)}`);
      }
      for (const w of out.wire) emit({ event: 'wire', peer, wire: w });
      report(peer, out.events);
    } catch (e) {
      emit({ event: 'error', peer, message: (e as Error).message });
    }
  };

  emit({
    event: 'ready',
    fingerprint: formatFingerprint(fingerprint(key)),
    instanceTag: instanceTag.toString(16),
  });
  flush();
  // Whoever reads us may go away (a closed pipe): that ends the peer, quietly.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  rl.on('line', (line) => {
    if (line.trim() === '') return;
    handle(line);
    emit({ event: 'done' });
    flush();
  });
  rl.on('close', () => {
    book.save();
  });
}

main().catch((e) => {
  process.stderr.write(`otr-peer: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
