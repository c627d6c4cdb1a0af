// A TLS 1.3 connection between Node's own tls server and client, the key log
// written from both sides' 'keylog' events (as Node's documentation shows).
// Usage: node node-keylog.js PORT KEYS_DIR KEYLOG_OUT
'use strict';
const tls = require('node:tls');
const fs = require('node:fs');
const path = require('node:path');
const [port, keys, out] = process.argv.slice(2);
const log = fs.createWriteStream(out, { flags: 'a' });
const server = tls.createServer({
  key: fs.readFileSync(path.join(keys, 'key.pem')), cert: fs.readFileSync(path.join(keys, 'cert.pem')),
  minVersion: 'TLSv1.3', ALPNProtocols: ['h2', 'http/1.1'],
}, (socket) => {
  socket.end('hello from node\n');
});
server.on('keylog', (line) => log.write(line));
server.listen(Number(port), '127.0.0.1', () => {
  const client = tls.connect({ port: Number(port), host: '127.0.0.1', servername: 'decrypt.example', rejectUnauthorized: false, ALPNProtocols: ['h2'] });
  client.on('keylog', (line) => log.write(line));
  client.on('data', () => undefined);
  client.on('end', () => { client.end(); setTimeout(() => { server.close(); log.end(); }, 300); });
});
