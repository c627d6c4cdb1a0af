/**
 * The suspect-field rule engine: which fields of a handshake a censor may
 * have matched, ranked by the evidence for each.
 *
 *   catalogue   documented censor matches and traits (catalogue.ts)
 *   divergence  fields around the block point, when a comparison found one (divergence.ts)
 *   user rules  the workspace's own (userRules.ts)
 */
import type { ConnectionReport } from '../../../shared/analysis';
import type { Interference, RuleTexts, Suspect } from '../../../shared/compare';
import { getField } from '../../../shared/fields/path';
import { formatField } from '../../../shared/fields/registry';
import { CATALOGUE, runCatalogue } from './catalogue';
import { CENSOR_MATCHED, DIVERGENCE_RULES, blockRoles, divergenceFindings, type Role } from './divergence';
import { evaluateUserRules, type UserRule } from './userRules';

export { CATALOGUE } from './catalogue';
export { baselineDiff } from './baseline';
export { divergenceSuspects } from './divergence';
export { loadUserRules, loadUserRulesFile, parseUserRules, USER_RULES_FILE, type UserRule, type UserRuleError, type UserRulesResult } from './userRules';

export interface SuspectContext {
  interference?: Interference;
  userRules?: readonly UserRule[];
  /** The other vantage point's view of the same connection: a field whose value differs there was changed on the way. */
  other?: ConnectionReport | null;
}

/*
 * Evidence, in points. A field that differs between the two vantage points
 * was changed on the path: nothing is stronger. Then a documented censor
 * match, the message's place at the block point, a field censors are known to
 * read; an ordinary value (null compression) counts against.
 */
const WEIGHT_SCORE: Record<Suspect['weight'], number> = { high: 40, medium: 20, low: 5 };
const ROLE_SCORE: Record<Role, number> = { 'first-missing': 30, 'dropped-with-it': 20, 'last-passed': 10 };
const DIFFERS_SCORE = 50;
const CENSOR_FIELD_SCORE = 15;
const ORDINARY_SCORE = -40;

interface Scored {
  s: Suspect;
  score: number;
  order: number;
}

function shown(path: string, v: unknown): string {
  return formatField(path, v) ?? JSON.stringify(v) ?? String(v);
}

/**
 * All suspects for one connection, one per rule and field, each with its
 * `rank` (1 = most telling) and the case-specific `reason`, in rank order.
 * A field a catalogue or user rule marks is not marked again by divergence:
 * its place at the block point is added to that suspect's reason instead.
 */
export function evaluateSuspects(conn: ConnectionReport, ctx: SuspectContext = {}): Suspect[] {
  const ruled: Suspect[] = [...runCatalogue(conn, CATALOGUE)];
  if (ctx.userRules && ctx.userRules.length > 0) ruled.push(...evaluateUserRules(conn, ctx.userRules));
  const roles = ctx.interference ? blockRoles(conn, ctx.interference) : [];
  const scored: Scored[] = [];
  const seen = new Set<string>();
  const add = (s: Suspect, score: number) => {
    const key = `${s.rule}\u0000${s.field}`;
    if (seen.has(key)) return;
    seen.add(key);
    scored.push({ s, score, order: scored.length });
  };
  for (const s of ruled) {
    let score = WEIGHT_SCORE[s.weight];
    const role = roles.find((r) => r.message.name === s.message);
    if (role) {
      score += ROLE_SCORE[role.role];
      s.reason = `${s.reason ? `${s.reason} ` : ''}It is in ${role.text}.`;
    }
    add(s, score);
  }
  const marked = new Set(ruled.map((s) => s.field));
  if (ctx.interference) {
    for (const f of divergenceFindings(conn, ctx.interference)) {
      if (marked.has(f.suspect.field)) continue;
      add(f.suspect, ROLE_SCORE[f.role] + (CENSOR_MATCHED[f.suspect.field] ? CENSOR_FIELD_SCORE : 0) + (f.ordinary ? ORDINARY_SCORE : 0));
    }
  }
  if (ctx.other) {
    for (const x of scored) {
      // Only decoded bodies: message lists and packet numbers differ between any two captures.
      if (!/^(clientHello|serverHello|serverKeyExchange|certificates)\b/.test(x.s.field)) continue;
      const here = getField(conn, x.s.field);
      const there = getField(ctx.other, x.s.field);
      if (here === undefined || there === undefined || JSON.stringify(here) === JSON.stringify(there)) continue;
      x.score += DIFFERS_SCORE;
      x.s.reason = `${x.s.reason ? `${x.s.reason} ` : ''}The other capture has ${shown(x.s.field, there)} here: the value changed on the way.`;
    }
  }
  scored.sort((a, b) => b.score - a.score || a.order - b.order);
  return scored.map((x, i) => {
    x.s.rank = i + 1;
    return x.s;
  });
}

/** The texts of the rules these suspects name, for the document's `rules` (keys sorted). */
export function describeRules(ids: Iterable<string>, userRules: readonly UserRule[] = []): RuleTexts {
  const out: RuleTexts = {};
  for (const id of [...new Set(ids)].sort()) {
    const c = CATALOGUE.find((r) => r.id === id);
    const u = c ? undefined : userRules.find((r) => r.ruleId === id);
    const text = c
      ? { title: c.title, explanation: c.explanation, reference: c.reference }
      : DIVERGENCE_RULES[id] ?? (u ? { title: `Your rule "${u.id}" (${u.field})`, explanation: u.explanation, reference: u.reference } : undefined);
    if (text) out[id] = text;
  }
  return out;
}
