/**
 * Wire-exact fragmentation: for the same encoded message, line limit and instance tags, our
 * fragment() cuts exactly the lines libotr 4.1.1 cuts (otrl_proto_fragment_create), v3 and v2.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fragment } from '../../src/otr/proto';
import { Network } from './lib/network';
import type { Peer } from './lib/peer';
import { akeByQuery } from './lib/scenarios';
import { startLibotrPeer, startOffrecordPeer, tempDir } from './lib/start';

const started: Peer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.close()));
});

const V3 = /^\?OTR\|([0-9a-f]{8})\|([0-9a-f]{8}),(\d{5}),(\d{5}),([^,]*),$/;
const V2 = /^\?OTR,(\d{5}),(\d{5}),([^,]*),$/;

describe('our fragments are the lines libotr cuts', () => {
  for (const version of [3, 2] as const) {
    for (const limit of [120, 300, 777]) {
      it(`v${version} at ${limit}`, async () => {
        const dir = tempDir();
        const versions = version === 3 ? '2,3' : '2';
        const alice = await startLibotrPeer({
          account: 'alice',
          key: dir.file('a'),
          maxMessage: limit,
          versions,
        });
        started.push(alice);
        const bob = await startOffrecordPeer({ account: 'bob', key: dir.file('b'), versions });
        started.push(bob);
        const net = new Network().join(alice, bob);
        await akeByQuery(net, bob, alice, version);
        const from = net.log.length;
        await net.run(alice, { op: 'send', peer: 'bob', text: 'x'.repeat(1500) });
        const lines = net.log
          .slice(from)
          .filter((l) => l.from === 'alice')
          .map((l) => l.wire);
        expect(lines.length).toBeGreaterThan(1);
        let whole = '';
        let tags: [number, number] = [0, 0];
        for (const line of lines) {
          const m = version === 3 ? V3.exec(line) : V2.exec(line);
          if (!m) throw new Error(`not a v${version} fragment: ${line}`);
          if (version === 3) tags = [Number.parseInt(m[1]!, 16), Number.parseInt(m[2]!, 16)];
          whole += version === 3 ? m[5] : m[3];
        }
        expect(fragment(whole, limit, version, tags[0], tags[1])).toEqual(lines);
      });
    }
  }
});
