import type { CaptureFormat, CaptureSink } from '../packet';
import { detectLines } from './detect';
import { splitLines } from './lines';
import { Reporter } from './report';
import { TcpdumpHexParser } from './tcpdumpHex';
import { parseTcpdumpSummary } from './tcpdumpSummary';
import { Text2pcapParser } from './text2pcapHex';
import { TsharkHexParser } from './tsharkHex';

export { detectTextDialect } from './detect';

/**
 * Parses a text flow dump (tcpdump -x/-xx/-X/-XX, tshark -x, text2pcap's
 * offset+hex input, or tcpdump -nn summary lines), recognised by content,
 * into RawPackets whose bytes keep their line and column. Never throws on
 * bad input: problems become diagnostics, packets read before them are kept,
 * and parsing resumes at the next packet. When no dialect fits, reports one
 * error and returns 'tcpdump-summary' (nothing was read as packets).
 */
export function parseTextDump(text: string, sink: CaptureSink): CaptureFormat {
  const lines = splitLines(text);
  const rep = new Reporter(sink);
  const format = detectLines(lines);
  switch (format) {
    case 'tcpdump-hex':
      new TcpdumpHexParser(lines, sink, rep).run();
      break;
    case 'tshark-hex':
      new TsharkHexParser(lines, sink, rep).run();
      break;
    case 'text2pcap-hex':
      new Text2pcapParser(lines, sink, rep).run();
      break;
    case 'tcpdump-summary':
      parseTcpdumpSummary(lines, sink, rep);
      break;
    default:
      rep.file('error', 'text.unknown-format',
        'not a recognised text dump: expected tcpdump -x/-X output (\\t0x0000:  4500 …), tshark -x output ' +
        "(0000  45 00 …), offset+hex lines as text2pcap reads them, or tcpdump -nn lines with ': Flags ['");
  }
  rep.finish();
  return format ?? 'tcpdump-summary';
}
