/**
 * The one place where text from captures becomes markup.
 *
 * Everything a capture carries (SNI, certificate names, ALPN, file paths,
 * annotation text, evidence sentences that quote such values) is chosen by
 * whoever controls the network or the file: a censor, a honeypot, a colleague's
 * mangled dump. Reports are opened in browsers and pasted into issue trackers,
 * so every such value goes through one of these functions, and the HTML
 * renderer builds markup with the `html` tag below so that escaping is the
 * default and raw markup is the exception that has to be asked for.
 */

/**
 * Characters that can't be shown as themselves: C0/C1 controls (terminal and
 * layout tricks), line/paragraph separators, and the bidi controls that
 * reorder text (U+202A–202E embeddings/overrides, U+2066–2069 isolates, plus
 * the marks U+061C, U+200E, U+200F). A certificate CN with U+202E could
 * otherwise make "moc.elgoog" read as "google.com" in the report.
 * Tab, LF and CR are handled per target (harmless in HTML, structural in Markdown).
 */
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Visible, unambiguous stand-in for a neutralised character, e.g. `⟨U+202E⟩`. */
export function visibleCodePoint(c: string): string {
  return `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`;
}

/** Replaces controls and bidi overrides with visible `⟨U+XXXX⟩` markers; keeps \t \n \r. */
export function neutralize(s: string): string {
  return s.replace(INVISIBLE, visibleCodePoint);
}

/** Lone surrogates (from a broken UTF-16 decode) are invalid in HTML/XML output; show them like controls. */
function fixSurrogates(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, visibleCodePoint);
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** For HTML text and double- or single-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return fixSurrogates(neutralize(String(value ?? ''))).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]);
}

/**
 * For SVG text and attribute values. Inline SVG in an HTML page is parsed by
 * the HTML parser, but the same output should stay well-formed XML when the
 * ladder is saved as a standalone .svg, where controls other than tab/LF/CR
 * are not even allowed: so those are neutralised too, and tab/LF/CR become
 * character references so attribute-value normalisation can't eat them.
 */
export function escapeXmlAttr(value: unknown): string {
  return fixSurrogates(neutralize(String(value ?? '')))
    .replace(/[&<>"']/g, (c) => HTML_ENTITIES[c])
    .replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * For GitHub-flavoured Markdown text, including table cells: the result
 * renders as the literal input and can't open a link, image, code span,
 * emphasis, heading, table cell, math block, autolink (URL, `www.`, e-mail),
 * @-mention, #-reference, emoji shortcode or inline HTML.
 *
 * - ASCII punctuation that Markdown (CommonMark + GFM) gives meaning to is
 *   backslash-escaped; `.`, `:` and `@` too, because GFM autolinks `www.x.y`,
 *   `scheme://` and `a@b.c` in plain text and an escape splits the text run
 *   the autolinker looks at.
 * - `<`, `>` and `&` become entities: GitHub renders inline HTML, and an
 *   entity is only ever text (a backslash before `<` is not honoured
 *   everywhere, e.g. some renderers' raw-HTML passes).
 * - Line breaks become ` ⏎ ` so a value can't start a new block (a heading,
 *   a fence, a table row) or break out of a table cell.
 */
export function escapeMarkdown(value: unknown): string {
  return fixSurrogates(neutralize(String(value ?? '')))
    .replace(/\r\n|\r|\n/g, ' ⏎ ')
    .replace(/\t/g, ' ')
    .replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'))
    .replace(/[\\`*_{}[\]()#+\-.!|~:@$^=]/g, (c) => `\\${c}`);
}

/**
 * A fenced code block whose content can't close the fence early: the fence is
 * one backtick longer than the longest backtick run inside. Code blocks render
 * nothing (no HTML, no links), so only controls/bidi need neutralising.
 */
export function markdownCodeBlock(text: string, info = 'text'): string {
  const body = fixSurrogates(neutralize(text)).replace(/\r\n?/g, '\n');
  let longest = 0;
  for (const m of body.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${body}${body.endsWith('\n') ? '' : '\n'}${fence}`;
}

/** Markup that is already safe; only the `html` tag and renderers create it. */
export class SafeHtml {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

/** Marks renderer-built markup (never capture data) as safe. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

type HtmlValue = SafeHtml | string | number | boolean | null | undefined | HtmlValue[];

function renderValue(v: HtmlValue): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.html;
  if (Array.isArray(v)) return v.map(renderValue).join('');
  return escapeHtml(v);
}

/**
 * Template tag that escapes every interpolated value unless it is SafeHtml:
 * html`<td>${sni}</td>` can't be turned into markup by the SNI.
 * Interpolations inside attribute values must be quoted in the template.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += renderValue(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

/** Joins pieces of markup. */
export function joinHtml(parts: HtmlValue[], sep = ''): SafeHtml {
  return new SafeHtml(parts.map(renderValue).join(sep));
}
