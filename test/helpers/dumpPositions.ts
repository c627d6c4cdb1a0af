// Where a field sits in a tcpdump -X dump, found by reading the hex directly
// (independently of the engine under test). Shared by the code-server
// end-to-end test and the @vscode/test-electron suite.

export interface DumpByte { v: number; line: number; column: number }

/** The packets of a tcpdump -X/-XX dump as lists of bytes, each with the line and column of its first hex digit. */
export function dumpPackets(text: string): DumpByte[][] {
  let packet: DumpByte[] = [];
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
  return packets.filter((p) => p.length > 0);
}

/** Where occurrence `nth` (0 = first) of `needle` (bytes) is written in the dump: one position per byte. */
export function findDumpBytes(text: string, needle: ArrayLike<number>, nth = 0): DumpByte[] {
  let seen = 0;
  for (const p of dumpPackets(text)) {
    outer: for (let i = 0; i + needle.length <= p.length; i++) {
      for (let j = 0; j < needle.length; j++) if (p[i + j].v !== needle[j]) continue outer;
      if (seen++ === nth) return p.slice(i, i + needle.length);
    }
  }
  throw new Error(`bytes ${Buffer.from(Array.from(needle)).toString('hex')} are not in the dump`);
}

/** Line and column (0-based) of the first hex digit of the ServerHello's cipher suite. */
export function serverHelloCipherPosition(text: string): { line: number; column: number } {
  const packets = dumpPackets(text);
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
