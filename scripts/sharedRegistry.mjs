/**
 * The IANA tables of shared/tls/registry for the contract scripts (plain
 * .mjs, run without a build): bundled in memory by esbuild and imported, so
 * the scripts derive names exactly as the engine writes them.
 */
import { buildSync } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = ['cipherSuites', 'extensionTypes', 'handshakeTypes', 'namedGroups', 'signatureSchemes', 'versions']
  .map((m) => `export * from ${JSON.stringify(join(ROOT, 'shared', 'tls', 'registry', `${m}.ts`))};`).join('\n');
const bundle = buildSync({ stdin: { contents: entry, resolveDir: ROOT, loader: 'ts' }, bundle: true, format: 'esm', platform: 'neutral', write: false });

/** cipherSuiteName, extensionName, handshakeTypeName, namedGroupName, signatureSchemeName, versionName, … */
export const registry = await import(`data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].text).toString('base64')}`);
