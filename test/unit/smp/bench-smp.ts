/**
 * Benchmark (not a test): a full SMP run, both sides in one process, median of 10.
 * Run: npx tsx test/unit/smp/bench-smp.ts
 */
import { cryptoRandom } from '../../../src/crypto/random';
import { Smp } from '../../../src/otr/smp';

function fullRun(same: boolean): number {
  const a = new Smp(cryptoRandom);
  const b = new Smp(cryptoRandom);
  const t0 = performance.now();
  const m1 = a.start(0x1234n, 'question?');
  b.receive(m1[0]!);
  const m2 = b.answer(same ? 0x1234n : 0x4321n);
  const m3 = a.receive(m2[0]!).reply;
  const m4 = b.receive(m3[0]!);
  const end = a.receive(m4.reply[0]!);
  const ms = performance.now() - t0;
  if (end.event?.result !== (same ? 'succeeded' : 'failed')) throw new Error('SMP run went wrong');
  return ms;
}

fullRun(true); // warm-up
const times = Array.from({ length: 10 }, (_, i) => fullRun(i % 2 === 0)).sort((x, y) => x - y);
const median = (times[4]! + times[5]!) / 2;
console.log(`full SMP (both sides, in-process), median of 10: ${median.toFixed(1)} ms`);
console.log(`min ${times[0]!.toFixed(1)} ms, max ${times[9]!.toFixed(1)} ms`);
