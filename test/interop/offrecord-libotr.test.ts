/**
 * offrecord (tools/otr-peer) against real libotr 4.1.1 (test/interop/c/libotr-peer.c): the
 * scenarios of issues 3 and 4, each run with offrecord as "alice" and with offrecord as "bob",
 * every directional scenario both ways.
 */
import { defineScenarios } from './lib/scenarios';

defineScenarios('offrecord', 'libotr');
defineScenarios('libotr', 'offrecord');
