// Shared by the lock e2e suites (issue 18): every encoding of a private key's x that a careless
// store could hold, and a dump of everything offrecord stores, read from one of its own pages.

import { bigIntToBytes, bigIntToFixed, bytesToHex } from '../../../src/crypto/bytes';

/**
 * x in hex (both cases, minimal and fixed length), as an MPI, in decimal, base64, and the export's
 * S-expression (`exportFile`: the key-export reply's exact bytes; x is usually `#HEX#`, but about
 * 1 in 270 prints as a quoted string or a token, docs/engine.md "The key file").
 */
export function encodingsOf(x: bigint, q: bigint, exportFile: Uint8Array): string[] {
  const minimal = bigIntToBytes(x);
  const fixed = bigIntToFixed(x, Math.ceil(q.toString(16).length / 2));
  const mpi = new Uint8Array(4 + minimal.length);
  new DataView(mpi.buffer).setUint32(0, minimal.length);
  mpi.set(minimal, 4);
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  const sexp = Buffer.from(exportFile)
    .toString('latin1')
    .match(/\(x ([^\n]+)\)\n/)?.[0]
    .trimEnd();
  if (!sexp) throw new Error('the export has no (x …)');
  return [
    x.toString(16),
    x.toString(16).toUpperCase(),
    bytesToHex(fixed),
    bytesToHex(mpi),
    x.toString(10),
    b64(minimal),
    b64(fixed),
    b64(mpi),
    sexp,
    // The atom alone, without the #…# or quotes around it (an x is ~20 bytes: never this short).
    ...[sexp.slice(4, -2)].filter((inner) => inner.length >= 16),
  ];
}

/**
 * Runs IN an extension page (pass it to page.evaluate): every IndexedDB store of the 'offrecord'
 * database, storage.local and storage.session, as one JSON string; bytes as hex.
 */
export async function dumpStoredValues(): Promise<string> {
  const g = globalThis as unknown as {
    browser?: {
      storage: { local: { get(k: null): Promise<unknown> }; session: { get(k: null): Promise<unknown> } };
    };
    chrome?: {
      storage: { local: { get(k: null): Promise<unknown> }; session: { get(k: null): Promise<unknown> } };
    };
  };
  const api = (g.browser ?? g.chrome)!;
  const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  const replacer = (_k: string, v: unknown) =>
    v instanceof Uint8Array
      ? { bytes: hex(v) }
      : v instanceof ArrayBuffer
        ? { bytes: hex(new Uint8Array(v)) }
        : v;
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const r = indexedDB.open('offrecord');
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const idb: Record<string, unknown[]> = {};
  for (const name of Array.from(db.objectStoreNames)) {
    idb[name] = await new Promise<unknown[]>((resolve, reject) => {
      const all = db.transaction(name, 'readonly').objectStore(name).getAll();
      all.onsuccess = () => resolve(all.result);
      all.onerror = () => reject(all.error);
    });
  }
  db.close();
  const local = await api.storage.local.get(null);
  const session = await api.storage.session.get(null);
  return JSON.stringify({ idb, local, session }, replacer);
}
