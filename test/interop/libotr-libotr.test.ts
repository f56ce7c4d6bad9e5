/**
 * libotr ↔ libotr through the harness: proves the C peer and the relay before they judge offrecord.
 */
import { defineScenarios } from './lib/scenarios';

defineScenarios('libotr', 'libotr');
