/**
 * The one place the TLS 1.2-and-earlier record decryption plugs into the
 * connection's decryption (kept as a seam so the pipeline does not reach into
 * the tls12 module's internals).
 */
export { createTls12Decryptor, finishedVerifyData, needsEveryRecord, type Tls12Params } from './tls12/index';
