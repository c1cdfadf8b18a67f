// Waits in an event's lobby with webroot/foyer-client.js the way an attendee's page does, printing one JSON line
// per status the page would show, then the admission.
// Usage: node --experimental-websocket foyer-lobby-check.mjs <client module path> <http base> <ws url> <event id>
const [modulePath, base, url, eventId] = process.argv.slice(2);
globalThis.location = { protocol: 'http:', host: 'unused' };
const { waitInLobby } = await import(modulePath);

const print = (line) => process.stdout.write(JSON.stringify(line) + '\n');
setTimeout(() => { print({ event: 'timeout' }); process.exit(2); }, 30000);
try {
  const admitted = await waitInLobby(Number(eventId), { base, url, onStatus: (s) => print({ event: 'status', ...s }) });
  print({ event: 'admitted', ...admitted });
  process.exit(0);
} catch (problem) {
  print({ event: 'refused', problem });
  process.exit(1);
}
