// The one escaping module: every capture value on its way into HTML, SVG or Markdown.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { escapeHtml, escapeMarkdown, escapeXmlAttr, html, joinHtml, markdownCodeBlock, raw } from '../../server/src/report/escape';
import { HOSTILE } from '../helpers/reportFixtures';
import { packageMissing, skipUnlessCi } from '../helpers/prerequisites';

const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

describe('escapeHtml', () => {
  it('escapes the five HTML-special characters', () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&amp;</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  });

  it('makes bidi overrides and isolates visible instead of letting them reorder the text', () => {
    const out = escapeHtml(HOSTILE.issuer);
    assert.doesNotMatch(out, BIDI);
    assert.match(out, /⟨U\+202E⟩moc\.elgoog⟨U\+202C⟩/);
    assert.match(out, /⟨U\+2066⟩isolate⟨U\+2069⟩/);
  });

  it('neutralises controls (terminal escapes, NUL, DEL, C1) but keeps tab and line breaks', () => {
    const out = escapeHtml('a\u001b[31mb\u0000c\u007fd\u0085e\tf\ng');
    assert.doesNotMatch(out, CONTROL);
    assert.equal(out, 'a⟨U+001B⟩[31mb⟨U+0000⟩c⟨U+007F⟩d⟨U+0085⟩e\tf\ng');
  });

  it('shows lone surrogates instead of emitting invalid text', () => {
    assert.equal(escapeHtml('x\ud800y'), 'x⟨U+D800⟩y');
    assert.equal(escapeHtml('😀'), '😀');
  });

  it('never lets markup-significant characters through (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      const out = escapeHtml(s);
      assert.doesNotMatch(out, /[<>"']/);
      assert.doesNotMatch(out, BIDI);
      assert.doesNotMatch(out, CONTROL);
      // Every & starts an entity we wrote.
      assert.doesNotMatch(out, /&(?!(amp|lt|gt|quot|#39);)/);
    }), { numRuns: 500 });
  });
});

describe('escapeXmlAttr', () => {
  it('keeps attribute values intact through XML attribute normalisation', () => {
    assert.equal(escapeXmlAttr('a\nb\tc"d<'), 'a&#10;b&#9;c&quot;d&lt;');
    assert.doesNotMatch(escapeXmlAttr('\u202e\u0001'), /[\u202e\u0001]/);
  });
});

describe('escapeMarkdown', () => {
  it('turns link syntax into text', () => {
    const out = escapeMarkdown(HOSTILE.link);
    assert.equal(out, '\\]\\(javascript\\:alert\\(1\\)\\)');
    assert.doesNotMatch(out, /(?<!\\)[[\]()]/);
  });

  it('keeps HTML out: < > & become entities (GitHub renders inline HTML)', () => {
    assert.equal(escapeMarkdown('<script>alert(1)</script>'), '&lt;script&gt;alert\\(1\\)&lt;/script&gt;');
    assert.equal(escapeMarkdown('&lt;'), '&amp;lt;');
  });

  it('escapes table pipes and backticks so a value stays in its cell and out of code spans', () => {
    const out = escapeMarkdown(HOSTILE.alpn.join(','));
    assert.doesNotMatch(out, /(?<!\\)[|`]/);
    assert.equal(escapeMarkdown('a|b'), 'a\\|b');
  });

  it('breaks autolinks, mentions, issue references and math', () => {
    const out = escapeMarkdown('https://evil.example www.evil.example a@b.example @someone #123 $x$');
    assert.doesNotMatch(out, /https?:\/\//);
    assert.doesNotMatch(out, /www\./);
    assert.doesNotMatch(out, /(?<!\\)[@#$]/);
  });

  it('keeps a value on one line so it cannot start a heading, list or fence', () => {
    const out = escapeMarkdown('x\n# heading\r\n```\r- item');
    assert.doesNotMatch(out, /[\r\n]/);
    assert.equal(out, 'x ⏎ \\# heading ⏎ \\`\\`\\` ⏎ \\- item');
  });

  it('escapes every Markdown-significant character (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      const out = escapeMarkdown(s);
      assert.doesNotMatch(out, /[<>\r\n]/);
      assert.doesNotMatch(out, /(?<!\\)[`*_[\]()|#!~:@$]/);
      assert.doesNotMatch(out, BIDI);
    }), { numRuns: 500 });
  });

  // Not a declared dependency (it comes with @vscode/vsce), hence the computed name.
  const MARKDOWN_IT = ['markdown', 'it'].join('-');
  it('renders as literal text in a real Markdown renderer (markdown-it with HTML and linkify on)', { skip: skipUnlessCi(packageMissing(MARKDOWN_IT, 'it comes with @vscode/vsce')) }, () => {
    const MarkdownIt = require(MARKDOWN_IT) as new (o: object) => { render(s: string): string; renderInline(s: string): string };
    const md = new MarkdownIt({ html: true, linkify: true });
    for (const s of [HOSTILE.link, HOSTILE.sni, HOSTILE.subject, HOSTILE.annotation, '[x](http://evil.example)', '![i](http://evil.example/i.png)', '<img src=x>', 'www.evil.example']) {
      const rendered = md.render(escapeMarkdown(s));
      assert.doesNotMatch(rendered, /<(a|img|script)\b/i, `${s} → ${rendered}`);
      // What the reader sees is the value itself (line breaks shown as ⏎).
      const text = rendered.replace(/<\/?p>\n?/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
      assert.equal(text, s.replace(/\r\n|\r|\n/g, ' ⏎ '));
    }
  });
});

describe('markdownCodeBlock', () => {
  it('uses a fence longer than any backtick run inside', () => {
    const block = markdownCodeBlock('a ``` b\n````');
    assert.ok(block.startsWith('`````text\n'));
    assert.ok(block.endsWith('\n`````'));
  });
  it('neutralises bidi and controls inside the block', () => {
    assert.doesNotMatch(markdownCodeBlock('x\u202ey\u0007'), /[\u202e\u0007]/);
  });
});

describe('html tag', () => {
  it('escapes interpolations unless they are SafeHtml, including inside arrays', () => {
    const evil = HOSTILE.sni;
    const out = html`<td title="${evil}">${evil}${raw('<br>')}${[evil, raw('<hr>')]}${null}${undefined}${false}${3}</td>`.html;
    assert.equal(out, `<td title="${escapeHtml(evil)}">${escapeHtml(evil)}<br>${escapeHtml(evil)}<hr>3</td>`);
    assert.equal(joinHtml(['<', raw('<b>')], '|').html, '&lt;|<b>');
  });
});
