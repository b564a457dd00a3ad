/**
 * A child's output, line by line: what the supervisor logs for an instance or companion started
 * with `output: "log"`. Lines longer than `maxLine` characters are cut (the rest of the line is
 * dropped, the cut is marked), so a child printing without newlines cannot grow memory.
 *
 * @example
 * ```ts
 * const p = Bun.spawn(["bun", "x.ts"], { stdout: "pipe" });
 * await pipeLines(p.stdout, (line) => logger.info({ pid: p.pid }, line));
 * ```
 * @module
 */

/** Calls `onLine` for every line of `stream` (without its newline); resolves at the end. */
export async function pipeLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
  maxLine = 16_384,
): Promise<void> {
  const decoder = new TextDecoder();
  let buf = "";
  let cut = false;
  const emit = (line: string) => {
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (line.length > 0) onLine(line);
  };
  for await (const chunk of stream) {
    buf += decoder.decode(chunk, { stream: true });
    for (;;) {
      const nl = buf.indexOf("\n");
      if (nl < 0) break;
      if (!cut) emit(buf.slice(0, nl));
      cut = false;
      buf = buf.slice(nl + 1);
    }
    if (buf.length > maxLine) {
      if (!cut) emit(`${buf.slice(0, maxLine)} [line cut at ${maxLine} characters]`);
      cut = true;
      buf = "";
    }
  }
  buf += decoder.decode();
  if (!cut) emit(buf);
}
