/**
 * The suspect-field rule engine: which fields of a handshake a censor may
 * have matched, strongest first.
 *
 *   catalogue   documented censor matches and traits (catalogue.ts)
 *   divergence  fields around the block point, when a comparison found one (divergence.ts)
 *   user rules  the workspace's own (userRules.ts)
 */
import type { ConnectionReport } from '../../../shared/analysis';
import type { Interference, Suspect } from '../../../shared/compare';
import { CATALOGUE, runCatalogue } from './catalogue';
import { divergenceSuspects } from './divergence';
import { evaluateUserRules, type UserRule } from './userRules';

export { CATALOGUE } from './catalogue';
export { baselineDiff } from './baseline';
export { divergenceSuspects } from './divergence';
export { loadUserRules, loadUserRulesFile, parseUserRules, USER_RULES_FILE, type UserRule, type UserRuleError, type UserRulesResult } from './userRules';

export interface SuspectContext {
  interference?: Interference;
  userRules?: readonly UserRule[];
}

const RANK: Record<Suspect['weight'], number> = { high: 0, medium: 1, low: 2 };

/**
 * All suspects for one connection, sorted by weight (stable: within a weight,
 * catalogue first, then divergence in its own ranking, then user rules), one
 * per rule and field.
 */
export function evaluateSuspects(conn: ConnectionReport, ctx: SuspectContext = {}): Suspect[] {
  const all: Suspect[] = [...runCatalogue(conn, CATALOGUE)];
  if (ctx.interference) all.push(...divergenceSuspects(conn, ctx.interference));
  if (ctx.userRules && ctx.userRules.length > 0) all.push(...evaluateUserRules(conn, ctx.userRules));
  const seen = new Set<string>();
  const out: Suspect[] = [];
  for (const s of all.map((s, i) => ({ s, i })).sort((a, b) => RANK[a.s.weight] - RANK[b.s.weight] || a.i - b.i)) {
    const key = `${s.s.rule}\u0000${s.s.field}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(s.s);
  }
  return out;
}
