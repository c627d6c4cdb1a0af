/**
 * Hovers on an open text dump that never wait for an analysis: answered from
 * the last complete one, with the position carried back through the edits
 * made since (and the highlighted range carried forward), else from the
 * hovered packet's own lines. Whatever is not from an analysis of the text as
 * it is now says so.
 */
import type { Hover, MarkupContent, Position } from 'vscode-languageserver-types';
import { textHover } from './hover';
import type { LineDocument } from './lineDocument';
import { localHover } from './localHover';
import type { TextAnalyses } from './textAnalyses';

export const STALE_NOTE = 'From the analysis before your last edit';

function withNote(h: Hover, note: string): Hover {
  const c = h.contents as MarkupContent;
  return { ...h, contents: { kind: c.kind, value: `${c.value}\n\n${note}` } };
}

export function documentHover(texts: TextAnalyses, doc: LineDocument, at: Position): Hover | null {
  const snap = texts.snapshot(doc.uri);
  const pending = texts.analysing(doc.uri);
  if (snap) {
    if (!snap.stale) return textHover(snap.model, at.line, at.character);
    const base = snap.edits.toBase(at);
    if (base) {
      const h = textHover(snap.model, base.line, base.character);
      if (!h) return null;
      const range = h.range && snap.edits.rangeFromBase(h.range);
      const { range: _old, ...rest } = h;
      return withNote(range ? { ...rest, range } : rest, `_${STALE_NOTE}${pending ? '; the text is being analysed again' : ''}._`);
    }
  }
  const why = snap
    ? 'Decoded from this packet\'s lines alone: they changed after the last analysis; TLS fields show once the dump is analysed again.'
    : pending ? 'Decoded from this packet\'s lines alone while the dump is being analysed; TLS fields show when that ends.' : 'Decoded from this packet\'s lines alone.';
  return localHover(doc, at.line, at.character, why);
}
