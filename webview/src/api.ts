/** The VS Code webview API, typed by the shared protocol, and the byte requests made over it. */
import type { SourceLocation } from '../../shared/analysis';
import type { BytesPayload, CaptureSide, FromWebview } from '../../shared/webviewProtocol';

interface VsCodeApi {
  postMessage(msg: FromWebview): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

export function post(msg: FromWebview): void {
  vscode.postMessage(msg);
}

export interface CaptureBytes {
  bytes: Uint8Array;
  positions: Array<[number, number]> | null;
  truncated: boolean;
}

let nextRequest = 1;
const pending = new Map<number, (b: CaptureBytes | null) => void>();
const cache = new Map<string, Promise<CaptureBytes | null>>();

/** Bytes of one capture at `ranges`, asked of the extension once per distinct request. */
export function readBytes(side: CaptureSide, ranges: SourceLocation[]): Promise<CaptureBytes | null> {
  const key = `${side}:${JSON.stringify(ranges)}`;
  let p = cache.get(key);
  if (!p) {
    const requestId = nextRequest++;
    p = new Promise((resolve) => {
      pending.set(requestId, resolve);
      post({ type: 'readBytes', requestId, side, ranges });
    });
    cache.set(key, p);
  }
  return p;
}

export function bytesArrived(requestId: number, payload: BytesPayload | null): void {
  const resolve = pending.get(requestId);
  if (!resolve) return;
  pending.delete(requestId);
  resolve(payload && { bytes: payload.bytes, positions: payload.positions, truncated: payload.truncated });
}

export function saveViewState(state: unknown): void {
  vscode.setState(state);
}

export function viewState<T>(): T | undefined {
  return vscode.getState() as T | undefined;
}
