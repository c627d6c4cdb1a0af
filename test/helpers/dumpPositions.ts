// Where a field sits in a tcpdump -X dump, found by reading the hex directly
// (independently of the engine under test). Shared by the code-server
// end-to-end test and the @vscode/test-electron suite.

/** Line and column (0-based) of the first hex digit of the ServerHello's cipher suite. */
export function serverHelloCipherPosition(text: string): { line: number; column: number } {
  let packet: Array<{ v: number; line: number; column: number }> = [];
  const packets = [packet];
  text.split('\n').forEach((l, n) => {
    const m = /^(\s+0x[0-9a-f]{4}:\s+)((?:[0-9a-f]{2,4} ?)+)/.exec(l);
    if (!m) {
      if (/^\S/.test(l)) packets.push((packet = []));
      return;
    }
    let col = m[1].length;
    for (const g of m[2].split(' ')) {
      for (let i = 0; i + 1 < g.length; i += 2) packet.push({ v: parseInt(g.slice(i, i + 2), 16), line: n, column: col + i });
      col += g.length + 1;
    }
  });
  for (const p of packets) {
    if (p.length < 40) continue;
    const ihl = (p[0].v & 15) * 4;
    const pay = ihl + (p[ihl + 12].v >> 4) * 4;
    if (p[pay]?.v === 0x16 && p[pay + 5]?.v === 0x02) {
      const at = pay + 5 + 4 + 2 + 32 + 1 + p[pay + 43].v;
      return { line: p[at].line, column: p[at].column };
    }
  }
  throw new Error('no ServerHello in the dump');
}
