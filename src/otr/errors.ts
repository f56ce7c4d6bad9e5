/**
 * Typed errors of the engine. Every rejection of outside input is an OtrError with a stable
 * code, so callers (and tests) can tell a malformed message from a bad MAC from a wrong state.
 */
export type OtrErrorCode =
  | 'malformed' // a field is missing, too long, or bytes remain after the last field
  | 'bad-encoding' // base64 or the ?OTR: framing is broken
  | 'bad-version' // a protocol version we do not speak or did not allow
  | 'bad-instance' // instance tags that are not ours or are invalid
  | 'bad-group-element' // a DH value outside [2, p-2]
  | 'bad-mac' // a MAC that does not verify
  | 'bad-signature' // a DSA signature that does not verify
  | 'bad-state' // a message that makes no sense in the current state
  | 'bad-counter' // a data message counter that is not strictly increasing
  | 'unknown-key' // a data message for keys we do not have
  | 'fragment' // a fragment that does not fit the reassembly in progress
  | 'fragment-too-long' // a partly reassembled message grew past its per-instance budget
  | 'replayed' // D-H values of a completed AKE, or a D-H key the buddy already used (I7)
  | 'bad-key-file' // an import of a key, fingerprint or instance-tag file that is not valid
  | 'policy'; // the policy forbids what was asked

export class OtrError extends Error {
  readonly code: OtrErrorCode;
  constructor(code: OtrErrorCode, message: string) {
    super(message);
    this.name = 'OtrError';
    this.code = code;
  }
}

export function fail(code: OtrErrorCode, message: string): never {
  throw new OtrError(code, message);
}
