/**
 * Reading suspects with the document's rule texts (`rules`, written once per
 * document), and folding the long tail: a connection can have twenty marked
 * fields, most for the same reason, and every surface shows the few with the
 * strongest evidence and counts the rest.
 */
import type { RuleText, RuleTexts, Suspect } from './compare';

/** A rule the document does not describe (an older or hand-made document) reads as its id. */
export function ruleText(rules: RuleTexts | undefined, id: string): RuleText {
  return rules?.[id] ?? { title: id, explanation: '', reference: '' };
}

/** The suspect's whole explanation: why this field here, then what the rule looks for in general. */
export function suspectWhy(rules: RuleTexts | undefined, s: Suspect): string {
  const general = ruleText(rules, s.rule).explanation;
  return [s.reason, general].filter((x) => !!x).join(' ');
}

/** How many suspects every surface shows before folding the rest. */
export const SUSPECTS_SHOWN = 5;

export interface FoldedSuspects {
  /** The strongest, in rank order. */
  shown: Suspect[];
  /** The rest, one group per rule, in the order of each group's best rank. */
  folded: Array<{ rule: string; suspects: Suspect[] }>;
}

/**
 * The first `top` suspects by rank, and the others grouped by rule ("N more,
 * same reason"). A high-weight suspect (a documented censor match) is never
 * folded, however many there are.
 */
export function foldSuspects(suspects: readonly Suspect[], top = SUSPECTS_SHOWN): FoldedSuspects {
  const ranked = [...suspects].sort((a, b) => a.rank - b.rank);
  const shown: Suspect[] = [];
  const groups = new Map<string, Suspect[]>();
  for (const s of ranked) {
    if (shown.length < top || s.weight === 'high') {
      shown.push(s);
      continue;
    }
    const g = groups.get(s.rule);
    if (g) g.push(s);
    else groups.set(s.rule, [s]);
  }
  return { shown, folded: [...groups].map(([rule, list]) => ({ rule, suspects: list })) };
}

/** Merges rule texts of several documents (a comparison's two sides). */
export function mergeRuleTexts(...all: Array<RuleTexts | undefined>): RuleTexts {
  const found = new Map<string, RuleText>();
  for (const r of all) if (r) for (const k of Object.keys(r)) if (!found.has(k)) found.set(k, r[k]);
  const out: RuleTexts = {};
  for (const k of [...found.keys()].sort()) out[k] = found.get(k)!;
  return out;
}
