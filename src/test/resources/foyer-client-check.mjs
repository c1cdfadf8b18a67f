// Drives webroot/foyer-client.js the way a page does, printing one JSON line per event it sees.
// Usage: node --experimental-websocket foyer-client-check.mjs <client module path> <ws url> <token> <topic> <count>
const [modulePath, url, token, topic, count] = process.argv.slice(2);
globalThis.location = { protocol: 'http:', host: 'unused' };
const { FoyerClient } = await import(modulePath);

const client = new FoyerClient({ url, token, topics: [topic], minBackoffMs: 100, maxBackoffMs: 1000 });
let received = 0;
const print = (line) => process.stdout.write(JSON.stringify(line) + '\n');
client.addEventListener('subscribed', (e) => print({ event: 'subscribed', seq: e.detail.seq }));
client.addEventListener('close', (e) => print({ event: 'close', code: e.detail.code }));
client.addEventListener('reset', (e) => print({ event: 'reset', seq: e.detail.seq }));
client.addEventListener('message', (e) => {
  print({ event: 'message', seq: e.detail.seq, body: e.detail.data.body });
  if (++received === Number(count)) {
    client.close();
    setTimeout(() => process.exit(0), 100);
  }
});
client.connect();
setTimeout(() => { print({ event: 'timeout' }); process.exit(2); }, 30000);
