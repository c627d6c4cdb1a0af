/** Reading rendered reports back: tags, arrows, lanes. The renderers emit no capture text outside entities, so a tag scan of the raw HTML sees only their markup. */

export interface Tag {
  name: string;
  attrs: string;
  raw: string;
}

export function tags(htmlText: string): Tag[] {
  // Style content is CSS, not markup.
  const withoutStyle = htmlText.replace(/<style>[\s\S]*?<\/style>/g, '<style></style>');
  return [...withoutStyle.matchAll(/<\/?([a-zA-Z][\w:-]*)([^>]*)>/g)].map((m) => ({ name: m[1].toLowerCase(), attrs: m[2], raw: m[0] }));
}

export interface ParsedArrow {
  kind: string;
  dir: string;
  count: number;
  packets: string[];
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  dropMark: boolean;
  injectMark: boolean;
  labels: string[];
  body: string;
}

export function arrows(svg: string): ParsedArrow[] {
  return [...svg.matchAll(/<g class="arrow k-[^"]*" data-kind="([^"]*)" data-dir="([^"]*)" data-count="(\d+)" data-packets="([^"]*)">([\s\S]*?)<\/g>/g)].map((m) => {
    const line = /<line class="shaft" x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)"\/>/.exec(m[5]);
    if (!line) throw new Error(`arrow without a shaft: ${m[0]}`);
    return {
      kind: m[1], dir: m[2], count: Number(m[3]), packets: m[4].split(' ').filter(Boolean),
      x1: Number(line[1]), y1: Number(line[2]), x2: Number(line[3]), y2: Number(line[4]),
      dropMark: m[5].includes('class="drop-mark"'), injectMark: m[5].includes('class="inject-mark"'),
      labels: [...m[5].matchAll(/<text class="lbl"[^>]*>([^<]*)<\/text>/g)].map((x) => x[1]),
      body: m[5],
    };
  });
}

/** x of each lane line, by its title; the censor lane is the dashed one. */
export function lanes(svg: string): { xs: number[]; censorX: number | null; names: string[] } {
  const xs = [...svg.matchAll(/<line class="lane(?: censor)?" x1="([\d.]+)"/g)].map((m) => Number(m[1]));
  const censor = /<line class="lane censor" x1="([\d.]+)"/.exec(svg);
  const names = [...svg.matchAll(/<text class="lane-name"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  return { xs, censorX: censor ? Number(censor[1]) : null, names };
}

export function ladders(htmlText: string): string[] {
  return [...htmlText.matchAll(/<svg class="ladder"[\s\S]*?<\/svg>/g)].map((m) => m[0]);
}

/** Markdown with fenced code blocks removed (their content is never rendered as markup). */
export function outsideCodeBlocks(md: string): string {
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of md.split('\n')) {
    const f = /^(`{3,}|~{3,})/.exec(line);
    if (fence === null && f) {
      fence = f[1];
      continue;
    }
    if (fence !== null) {
      if (line.startsWith(fence) && line.trim() === fence) fence = null;
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}

export function codeBlocks(md: string): string[] {
  return [...md.matchAll(/^(`{3,})text\n([\s\S]*?)\n\1$/gm)].map((m) => m[2]);
}
