#!/usr/bin/env bun
/**
 * A ten-line WebSocket client for the tour: opens one statistic per argument on `/v1/stream` and
 * prints every server message. `bun scripts/ws-watch.ts [URL] TYPE:ID:STATTYPE…`
 *
 * @example
 * ```sh
 * bun scripts/ws-watch.ts Queue:8001:CurrNumberWaitingCalls GroupAgents:group1:CurrentReadyAgents
 * ```
 */
const args = process.argv.slice(2);
const url = args[0]?.startsWith("ws") ? (args.shift() as string) : "ws://127.0.0.1:7070/v1/stream";
const ws = new WebSocket(url);
ws.onopen = () =>
  args.forEach((a, i) => {
    const [type, id, statType] = a.split(":");
    ws.send(JSON.stringify({ op: "open", ref: `s${i}`, object: { type, id }, statType }));
  });
ws.onmessage = (m) => console.log(String(m.data));
ws.onclose = (e) => process.exit(e.code === 1000 ? 0 : 1);
