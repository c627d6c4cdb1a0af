// Behaviours checked inside a real VS Code (see ../runTest.ts). The same
// behaviours are exercised through the UI in test/e2e/codeServer.test.ts.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';
import { serverHelloCipherPosition } from '../../helpers/dumpPositions';

const ROOT = resolve(__dirname, '..', '..', '..', '..');
const SAMPLE = join(ROOT, 'samples', 'tor-kz-drop');
const EXTENSION_ID = 'handshake-inspector.handshake-inspector';
/** tshark: tls.handshake.ciphersuite of the relay's ServerHello is 0xc030. */
const EXPECTED_CIPHER_NAME = 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384';

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** One character into the ServerHello's cipher_suite bytes in a tcpdump -X dump. */
function cipherPosition(text: string): vscode.Position {
  const { line, column } = serverHelloCipherPosition(text);
  return new vscode.Position(line, column + 1);
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

export const cases: Array<[string, () => Promise<void>]> = [
  ['the extension activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed`);
    await ext.activate();
    assert.ok(ext.isActive);
  }],

  ['its commands are registered', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    for (const c of ['inspectAsCaptureText', 'openDissection', 'compareCaptures', 'selectClientView', 'compareWithSelectedClient', 'exportReport', 'openTimeline', 'compareWith', 'openSample']) {
      assert.ok(all.has(`handshakeInspector.${c}`), `handshakeInspector.${c} is missing`);
    }
  }],

  ['a tcpdump -X dump opens as capture-text and hovers name the ServerHello cipher suite', async () => {
    const file = join(SAMPLE, 'relay.tcpdump-X.txt');
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'capture-text');
    const pos = cipherPosition(readFileSync(file, 'utf8'));
    const text = await until('the ServerHello hover', async () => {
      const t = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, pos));
      return t.includes('cipher') ? t : undefined;
    });
    assert.match(text, /TLS › Handshake › ServerHello › cipher\\?_suite/);
    assert.ok(text.includes(EXPECTED_CIPHER_NAME), text);
  }],

  ['the outline lists the connection and its ServerHello', async () => {
    const uri = vscode.Uri.file(join(SAMPLE, 'relay.tcpdump-X.txt'));
    const symbols = await until('document symbols', async () => {
      const s = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri);
      return s && s.length > 0 ? s : undefined;
    });
    assert.match(symbols[0].name, /^Connection \d+/);
    const names = symbols[0].children.flatMap((p) => p.children.map((m) => m.name));
    assert.ok(names.includes('ServerHello'), names.join());
  }],

  ['a pcap opens in the capture editor', async () => {
    const uri = vscode.Uri.file(join(SAMPLE, 'relay.pcap'));
    await vscode.commands.executeCommand('vscode.open', uri);
    const tab = await until('the capture editor tab', async () => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputCustom && input.uri.fsPath === uri.fsPath ? input : undefined;
    });
    assert.equal(tab.viewType, 'handshakeInspector.capture');
  }],

  ['the text dissection of a pcap shows the ServerHello', async () => {
    await vscode.commands.executeCommand('handshakeInspector.openDissection', vscode.Uri.file(join(SAMPLE, 'relay.pcap')));
    const doc = await until('the dissection document', async () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'handshake-dissection' && d.getText().includes('ServerHello')));
    assert.ok(doc.getText().includes(EXPECTED_CIPHER_NAME));
  }],
];
