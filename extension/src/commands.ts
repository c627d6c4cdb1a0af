/**
 * One factory per command: each takes the Ctx and returns what the command
 * does (rust-analyzer's editors/code commands.ts is the model). The names are
 * in `Commands`; package.json declares the same ones.
 */
import * as vscode from 'vscode';
import { CAPTURE_TEXT_LANGUAGE, LensCommand } from '../../shared/protocol';
import { compareWith as compareWithAction, exportReport as exportReportAction, openDissection as openDissectionAction, runCompare } from './actions';
import { CAPTURE_EDITOR_VIEW_TYPE } from './captureEditor';
import type { Cmd, Ctx } from './ctx';
import { pickCapture } from './pickCapture';
import { sampleFolder } from './samples';

export const Commands = {
  inspectAsCaptureText: 'handshakeInspector.inspectAsCaptureText',
  openDissection: 'handshakeInspector.openDissection',
  compareCaptures: 'handshakeInspector.compareCaptures',
  selectClientView: 'handshakeInspector.selectClientView',
  compareWithSelectedClient: 'handshakeInspector.compareWithSelectedClient',
  exportReport: LensCommand.exportReport,
  openTimeline: LensCommand.openTimeline,
  compareWith: LensCommand.compareWith,
  openSample: 'handshakeInspector.openSample',
  openSampleDump: 'handshakeInspector.openSampleDump',
} as const;

const CLIENT_VIEW_KEY = 'handshakeInspector.clientView';

export function inspectAsCaptureText(): Cmd {
  return async (uri?: vscode.Uri) => {
    const doc = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
    if (!doc) return void vscode.window.showInformationMessage('Open a text dump (tcpdump -X / -xx, tshark -x) first.');
    await vscode.languages.setTextDocumentLanguage(doc, CAPTURE_TEXT_LANGUAGE);
    if (uri) await vscode.window.showTextDocument(doc);
  };
}

export function openDissection(ctx: Ctx): Cmd {
  return async (uri?: vscode.Uri) => {
    const target = uri ?? ctx.activeCaptureUri();
    if (!target) return void vscode.window.showInformationMessage('Open a capture (pcap, pcapng or text dump) first.');
    await openDissectionAction(target);
  };
}

export function compareCaptures(ctx: Ctx): Cmd {
  return async () => {
    const clientUri = await pickCapture('Client-side capture (the censored vantage point)');
    if (!clientUri) return;
    const relayUri = await pickCapture('Relay-side capture (the server or bridge)', clientUri);
    if (!relayUri) return;
    await runCompare(ctx, clientUri, relayUri);
  };
}

export function selectClientView(ctx: Ctx): Cmd {
  return async (uri?: vscode.Uri) => {
    const target = uri ?? ctx.activeCaptureUri();
    if (!target) return;
    await ctx.extCtx.workspaceState.update(CLIENT_VIEW_KEY, target.toString());
    await vscode.commands.executeCommand('setContext', 'handshakeInspector.clientViewSelected', true);
    void vscode.window.showInformationMessage(`Client view: ${vscode.workspace.asRelativePath(target)}. Now right-click the relay's capture → "Compare with Selected Client View".`);
  };
}

export function compareWithSelectedClient(ctx: Ctx): Cmd {
  return async (uri?: vscode.Uri) => {
    const stored = ctx.extCtx.workspaceState.get<string>(CLIENT_VIEW_KEY);
    const relayUri = uri ?? ctx.activeCaptureUri();
    if (!stored) return void vscode.window.showInformationMessage('First choose "Select as Client View" on the client\'s capture.');
    if (!relayUri) return;
    await runCompare(ctx, vscode.Uri.parse(stored), relayUri);
  };
}

export function exportReport(ctx: Ctx): Cmd {
  return async (uri?: vscode.Uri | string) => {
    const target = ctx.captureArg(uri);
    if (!target) return void vscode.window.showInformationMessage('Open a capture first.');
    await exportReportAction(ctx, target);
  };
}

/** Code lens "Open Timeline": the capture editor (it also opens text dumps), on that connection once the view is ready for it. */
export function openTimeline(ctx: Ctx): Cmd {
  return async (uri?: string | vscode.Uri, connection?: number) => {
    const target = ctx.captureArg(uri);
    if (!target) return;
    // Asked before the editor opens: the editor's webview takes it when it says it is ready.
    if (typeof connection === 'number') ctx.editor.select(target, connection);
    await vscode.commands.executeCommand('vscode.openWith', target, CAPTURE_EDITOR_VIEW_TYPE, { viewColumn: vscode.ViewColumn.Beside, preview: false });
  };
}

export function compareWith(ctx: Ctx): Cmd {
  return async (uri?: string | vscode.Uri) => {
    const target = ctx.captureArg(uri);
    if (target) await compareWithAction(ctx, target);
  };
}

/** The sample's first view is the comparison of its two captures: one capture alone cannot tell where the block was. */
export function openSample(ctx: Ctx): Cmd {
  return async () => {
    const dir = await sampleFolder(ctx.extCtx);
    await runCompare(ctx, vscode.Uri.joinPath(dir, 'client.pcap'), vscode.Uri.joinPath(dir, 'relay.pcap'));
  };
}

export function openSampleDump(ctx: Ctx): Cmd {
  return async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(await sampleFolder(ctx.extCtx), 'relay.tcpdump-X.txt'));
    await vscode.window.showTextDocument(await vscode.languages.setTextDocumentLanguage(doc, CAPTURE_TEXT_LANGUAGE));
  };
}

/** Every command, by name: activate() registers them all. */
export const COMMAND_FACTORIES: Record<(typeof Commands)[keyof typeof Commands], (ctx: Ctx) => Cmd> = {
  [Commands.inspectAsCaptureText]: inspectAsCaptureText,
  [Commands.openDissection]: openDissection,
  [Commands.compareCaptures]: compareCaptures,
  [Commands.selectClientView]: selectClientView,
  [Commands.compareWithSelectedClient]: compareWithSelectedClient,
  [Commands.exportReport]: exportReport,
  [Commands.openTimeline]: openTimeline,
  [Commands.compareWith]: compareWith,
  [Commands.openSample]: openSample,
  [Commands.openSampleDump]: openSampleDump,
};
