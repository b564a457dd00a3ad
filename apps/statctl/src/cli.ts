#!/usr/bin/env bun
/**
 * `statctl`: cluster inspection and statistics (docs/commands.md). Built so far: the commands that
 * need no daemon — `config check FILE` and `bus` (reads the shm segment directly, the way
 * AeronStat reads Aeron's CnC file). The others (`status`, `instances`, `nodes`, `stats get|watch`,
 * `top`, `profile`) talk to the daemon's REST API and say so until it exists.
 *
 * Exit codes: 0 ok, 1 failure, 2 bad usage. `--json` on every command.
 *
 * @example
 * ```sh
 * bun apps/statctl/src/cli.ts config check config/demo.toml
 * bun apps/statctl/src/cli.ts bus --segment statd-demo --json
 * ```
 */
import { readFileSync } from "node:fs";
import { checkStatdConfig } from "@statd/config";
import { ShmSegment } from "@statd/shm-bus/bun";
import { Command, CommanderError } from "commander";
import { formatBus } from "./format.ts";

function _fail(code: number, msg: string): never {
  process.stderr.write(`statctl: ${msg}\n`);
  process.exit(code);
}

const program = new Command()
  .name("statctl")
  .description("statd cluster inspection and statistics")
  .option("--url <url>", "statd REST API", "http://127.0.0.1:7070")
  .option("--token <token>", "bearer token for the REST API")
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

const config = program.command("config").description("configuration files");
config
  .command("check")
  .description("validate a statd config: every problem as one line naming the key")
  .argument("<file>", "statd TOML config")
  .option("--json", "print the result as JSON")
  .action((file: string, o: { json?: boolean }) => {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      _fail(1, `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const r = checkStatdConfig(text);
    if (o.json) process.stdout.write(`${JSON.stringify(r)}\n`);
    else {
      for (const e of r.errors) process.stdout.write(`${file}: ${e}\n`);
      for (const w of r.warnings) process.stdout.write(`${file}: warning: ${w.replace(/^config: /, "")}\n`);
      if (r.summary) {
        const s = r.summary;
        process.stdout.write(
          `${file}: ok: cluster "${s.cluster}", ${s.instances} instance(s), ${s.sipNodes} SIP node(s), ` +
            `${s.agents} agents, ${s.dns} DNs, ${s.places} places, ${s.agentGroups + s.placeGroups + s.queueGroups} groups, ` +
            `${s.statTypes} stat types, ${s.timeProfiles} time profiles, ${s.timeRanges} time ranges, ${s.filters} filters\n`,
        );
      }
    }
    process.exit(r.ok ? 0 : 1);
  });

program
  .command("bus")
  .description("members, rings (fill, lag, overruns) and counters, read from the shm segment directly")
  .requiredOption("--segment <name>", "shm segment name (statd uses statd-<cluster name>)")
  .option("--json", "print the snapshot as JSON")
  .action((o: { segment: string; json?: boolean }) => {
    let seg: ShmSegment;
    try {
      seg = ShmSegment.attach(o.segment, { readOnly: true, waitMs: 0 });
    } catch (e) {
      _fail(1, `bus: ${(e as Error).message}`);
    }
    try {
      const snap = seg.inspect();
      process.stdout.write(o.json ? `${JSON.stringify(snap)}\n` : formatBus(o.segment, snap));
    } finally {
      seg.close();
    }
  });

for (const [name, what] of [
  ["status", "cluster health"],
  ["instances", "engine instances"],
  ["nodes", "SIP node sessions"],
  ["stats", "open, peek and watch statistics"],
  ["top", "live view"],
  ["profile", "stat types, time profiles, time ranges, filters"],
] as const) {
  program
    .command(name)
    .description(`${what} (needs the daemon's REST API: not built yet)`)
    .allowUnknownOption()
    .allowExcessArguments()
    .option("--json", "JSON output")
    .action(() => _fail(1, `${name}: needs the statd daemon's REST API, which is not built yet`));
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  _fail(1, (e as Error).message);
}
