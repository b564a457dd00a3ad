import { expect, test } from "bun:test";
import { pipeLines } from "./output.ts";

function streamOf(...chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const x of chunks) c.enqueue(typeof x === "string" ? enc.encode(x) : x);
      c.close();
    },
  });
}

test("lines across chunks, CRLF, a last line without newline, empty lines skipped", async () => {
  const got: string[] = [];
  await pipeLines(streamOf("a", "b\nc\r\n\n", "d"), (l) => got.push(l));
  expect(got).toEqual(["ab", "c", "d"]);
});

test("a multi-byte character split between chunks is decoded whole", async () => {
  const bytes = new TextEncoder().encode("é\n");
  const got: string[] = [];
  await pipeLines(streamOf(bytes.slice(0, 1), bytes.slice(1)), (l) => got.push(l));
  expect(got).toEqual(["é"]);
});

test("an endless line is cut once and the next line is whole", async () => {
  const got: string[] = [];
  await pipeLines(streamOf("x".repeat(30), "x".repeat(30), "yy\nnext\n"), (l) => got.push(l), 16);
  expect(got).toEqual([`${"x".repeat(16)} [line cut at 16 characters]`, "next"]);
});
