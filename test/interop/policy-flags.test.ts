/** Our policy flags and presets carry libotr 4.1.1's own numbers (read from its installed header). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as P from '../../src/otr/policy';

const header = readFileSync('/usr/include/libotr/proto.h', 'utf8');
function define(name: string): number {
  const m = new RegExp(`#define OTRL_POLICY_${name}\\s+(0x[0-9a-fA-F]+)`).exec(header);
  if (!m) throw new Error(`OTRL_POLICY_${name} not in proto.h`);
  return Number(m[1]);
}

describe("policy flags are libotr 4.1.1's", () => {
  const flags: [string, number][] = [
    ['ALLOW_V1', P.ALLOW_V1],
    ['ALLOW_V2', P.ALLOW_V2],
    ['ALLOW_V3', P.ALLOW_V3],
    ['REQUIRE_ENCRYPTION', P.REQUIRE_ENCRYPTION],
    ['SEND_WHITESPACE_TAG', P.SEND_WHITESPACE_TAG],
    ['WHITESPACE_START_AKE', P.WHITESPACE_START_AKE],
    ['ERROR_START_AKE', P.ERROR_START_AKE],
  ];
  for (const [name, ours] of flags) {
    it(name, () => expect(ours).toBe(define(name)));
  }
  it('presets', () => {
    const v = define('ALLOW_V2') | define('ALLOW_V3');
    expect(P.POLICY_NEVER).toBe(define('NEVER'));
    expect(P.POLICY_MANUAL).toBe(v);
    expect(P.POLICY_OPPORTUNISTIC).toBe(
      v | define('SEND_WHITESPACE_TAG') | define('WHITESPACE_START_AKE') | define('ERROR_START_AKE'),
    );
    expect(P.POLICY_ALWAYS).toBe(
      v | define('REQUIRE_ENCRYPTION') | define('WHITESPACE_START_AKE') | define('ERROR_START_AKE'),
    );
  });
});
