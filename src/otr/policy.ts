/**
 * OTR policies (spec: "Policies"), with libotr's flag values so a policy means the same here as
 * in pidgin-otr. Version 1 is not implemented; ALLOW_V1 is accepted and ignored.
 */
export const ALLOW_V1 = 0x01;
export const ALLOW_V2 = 0x02;
export const ALLOW_V3 = 0x04;
export const REQUIRE_ENCRYPTION = 0x08;
export const SEND_WHITESPACE_TAG = 0x10;
export const WHITESPACE_START_AKE = 0x20;
export const ERROR_START_AKE = 0x40;

export const VERSION_MASK = ALLOW_V1 | ALLOW_V2 | ALLOW_V3;

export const POLICY_NEVER = 0;
export const POLICY_MANUAL = ALLOW_V2 | ALLOW_V3;
export const POLICY_OPPORTUNISTIC =
  POLICY_MANUAL | SEND_WHITESPACE_TAG | WHITESPACE_START_AKE | ERROR_START_AKE;
export const POLICY_ALWAYS = POLICY_MANUAL | REQUIRE_ENCRYPTION | WHITESPACE_START_AKE | ERROR_START_AKE;

export type PolicyName = 'never' | 'manual' | 'opportunistic' | 'always';

export const POLICY_PRESETS: Record<PolicyName, number> = {
  never: POLICY_NEVER,
  manual: POLICY_MANUAL,
  opportunistic: POLICY_OPPORTUNISTIC,
  always: POLICY_ALWAYS,
};

/** The policy preset with the allowed versions restricted to `versions` (e.g. [2] for a v2-only peer). */
export function policyFor(name: PolicyName, versions: readonly number[] = [2, 3]): number {
  let p = POLICY_PRESETS[name];
  if (!versions.includes(2)) p &= ~ALLOW_V2;
  if (!versions.includes(3)) p &= ~ALLOW_V3;
  return p;
}

/** The protocol versions a policy allows, highest first. */
export function allowedVersions(policy: number): (2 | 3)[] {
  const out: (2 | 3)[] = [];
  if (policy & ALLOW_V3) out.push(3);
  if (policy & ALLOW_V2) out.push(2);
  return out;
}

/**
 * The policy a conversation runs under: the buddy's own policy (pidgin-otr's per-buddy setting)
 * when one is set, else the site's, else manual (offrecord's default: nothing starts by itself).
 */
export function effectivePolicy(
  site: PolicyName | null | undefined,
  buddy: PolicyName | null | undefined,
): PolicyName {
  return buddy ?? site ?? 'manual';
}
