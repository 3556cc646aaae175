// The admin commands the READMEs tell operators to run exist, with the options they use: each
// command line is checked against what the built CLI's own --help offers, so a renamed command or
// option fails here before a reader copies it. And every setting the setup guides name is in the
// README's Settings table.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  checkAdminCommand,
  extractAdminCommands,
  parseHelp,
  sections,
  settingNamesIn,
  settingsTable,
  shellWords,
  type CommandHelp,
} from "./support/readme-commands.js";
import { findReadmes } from "./support/readme-snippets.js";
import { openDatabase, type DatabaseLocation } from "@scimgw/directory";
import { createAdminProgram } from "@scimgw/directory/admin-program";

const root = fileURLToPath(new URL("..", import.meta.url));
const adminMain = join(root, "services/directory/dist/admin/main.js");

/** The guides whose settings must all be in the Settings table. */
const guides = ["Connect Okta", "Connect Microsoft Entra ID", "Backup, restore and upgrade"];

// The CLI's command tree, built in this process as main.ts builds it: reading each command's help
// from it costs nothing, where a CLI process per command path cost about a CPU-second each to load.
// It needs no database for that, but a folder for the one it would open.
const dataDir = mkdtempSync(join(tmpdir(), "scimgw-readme-commands-"));
const database: DatabaseLocation = { kind: "sqlite", filename: join(dataDir, "directory.sqlite") };
const db = openDatabase(database);
after(async () => {
  await db.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});
const program = createAdminProgram({ db, out: { write() {} } }, database, () => {});

/** The help text of a command path ([] for the CLI itself), as `scimgw-admin <path> --help` prints it when not on a terminal. */
function helpText(path: string[]): string {
  let command: ReturnType<typeof createAdminProgram> = program;
  path.forEach((name, depth) => {
    const sub = command.commands.find((candidate) => candidate.name() === name);
    if (sub === undefined) throw new Error(`scimgw-admin has no command ${path.slice(0, depth + 1).join(" ")}`);
    command = sub;
  });
  // A pipe has no width; commander then wraps at 80 columns, as here whatever the terminal.
  return command.configureHelp({ helpWidth: 80 }).helpInformation();
}

/** The help of a command path, parsed. */
async function helpOf(path: string[]): Promise<CommandHelp> {
  return parseHelp(helpText(path));
}

test("the command tree read here is the built CLI's: its --help is the same text", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [adminMain, "--help"], {
    env: { PATH: process.env.PATH, DATA_DIR: dataDir },
  });
  assert.equal(stdout, helpText([]));
  const { stdout: tenants } = await promisify(execFile)(process.execPath, [adminMain, "tenants", "create", "--help"], {
    env: { PATH: process.env.PATH, DATA_DIR: dataDir },
  });
  assert.equal(tenants, helpText(["tenants", "create"]));
});

const commands = findReadmes(root).flatMap((readme) => extractAdminCommands(readme, readFileSync(join(root, readme), "utf8")));

test("the READMEs' admin command lines are found", () => {
  assert.ok(commands.length >= 40, `expected the READMEs' admin commands, found ${commands.length}`);
  const readmes = new Set(commands.map((command) => command.readme));
  assert.ok(readmes.has("README.md") && readmes.size >= 2, [...readmes].join(", "));
});

// One test per top-level command, so a failure names the command that is missing or changed.
const byCommand = new Map<string, typeof commands>();
for (const command of commands) byCommand.set(command.words[0]!, [...(byCommand.get(command.words[0]!) ?? []), command]);
describe("every admin command line of the READMEs uses only what the CLI's --help offers", () => {
  for (const [command, lines] of byCommand) {
    test(command, async () => {
      const problems = (
        await Promise.all(
          lines.map(async (line) => ({ line, check: await checkAdminCommand(line.words, helpOf, { mention: line.inline }) })),
        )
      )
        .filter(({ check }) => check.problems.length > 0)
        .map(({ line, check }) => `${line.readme}:${line.line}: ${line.text}\n    ${check.problems.join("\n    ")}`);
      assert.deepEqual(problems, [], `README command lines the CLI does not offer:\n${problems.join("\n")}`);
    });
  }
});

test("every setting the setup guides name is in the README's Settings table", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const table = settingsTable(readme);
  assert.ok(table.has("DATA_DIR") && table.has("PUBLIC_BASE_URL"), "the Settings table is read");
  const named = settingNamesIn(sections(readme, guides));
  assert.ok(named.has("PUBLIC_BASE_URL"), "the guides' settings are read");
  const missing = [...named].filter((name) => !table.has(name));
  assert.deepEqual(missing, [], `settings the guides name that the Settings table lacks: ${missing.join(", ")}`);
});

describe("reading command lines", () => {
  const cases: Array<[string, string, string[]]> = [
    [
      "quotes, and a comment after the command",
      `users list acme --filter 'userName eq "a@b.c"'   # a comment`,
      ["users", "list", "acme", "--filter", 'userName eq "a@b.c"'],
    ],
    ["a placeholder with a space is one word", "keys revoke acme <key id>", ["keys", "revoke", "acme", "<key id>"]],
    [
      "a command substitution is part of its word",
      "backup --to /b/directory-$(date +%F).sqlite",
      ["backup", "--to", "/b/directory-$(date +%F).sqlite"],
    ],
    ["a redirection ends the command", "activity acme --json > out.json", ["activity", "acme", "--json"]],
    ["so do a pipe and &&", "tenants list | head && echo done", ["tenants", "list"]],
    [
      "backslash escapes and double quotes",
      'tenants rename acme "Acme \\"Corp\\"" a\\ b',
      ["tenants", "rename", "acme", 'Acme "Corp"', "a b"],
    ],
  ];
  for (const [name, text, words] of cases) test(name, () => assert.deepEqual(shellWords(text), words));

  test("command lines come from shell blocks (continuations joined) and from inline code, in any of the CLI's spellings", () => {
    const markdown = [
      "Run `pnpm admin migrate` first, then `admin keys list acme`; `admin <command> --help` is help; `admin", // 1
      "users show acme ada` wraps.", // 2
      "```sh", // 3
      "npx --yes pnpm@10.34.9 admin tenants create acme   # a comment", // 4
      "DATA_DIR=/d node services/directory/dist/admin/main.js \\", // 5
      "  credentials ensure gateway --all-tenants", // 6
      "scimgw-admin: not a command, an error line's prefix", // 7
      "```", // 8
      "```ts", // 9
      'const x = "pnpm admin users list";', // 10
      "```", // 11
    ].join("\n");
    assert.deepEqual(
      extractAdminCommands("README.md", markdown).map(({ line, words, inline }) => ({ line, words, inline })),
      [
        { line: 4, words: ["tenants", "create", "acme"], inline: false },
        { line: 5, words: ["credentials", "ensure", "gateway", "--all-tenants"], inline: false },
        { line: 1, words: ["migrate"], inline: true },
        { line: 1, words: ["keys", "list", "acme"], inline: true },
        { line: 1, words: ["users", "show", "acme", "ada"], inline: true },
      ],
    );
  });

  test("help is read as commander prints it, wrapped descriptions included", () => {
    const help = parseHelp(
      [
        "Usage: scimgw-admin tenants limits [options] <tenant>",
        "",
        "set a tenant's request rate limit",
        "",
        "Options:",
        "  --per-second <n>  sustained requests per second",
        "  --burst <n>       requests at once after a quiet period (default: 4 ×",
        "                    per-second) --not-an-option",
        "  --default         remove the tenant's own limit",
        "  -h, --help        display help for command",
        "",
      ].join("\n"),
    );
    assert.deepEqual(Object.fromEntries(help.options), {
      "--per-second": "required",
      "--burst": "required",
      "--default": "none",
      "-h": "none",
      "--help": "none",
    });
    assert.deepEqual(help.arguments, { required: 1, optional: 0, variadic: false });
    assert.deepEqual(help.subcommands, []);
  });

  test("a command, subcommand, option or argument count the CLI lacks is named", async () => {
    const tree: Record<string, CommandHelp> = {
      "": { subcommands: ["tenants"], options: new Map([["--help", "none"]]), arguments: { required: 0, optional: 0, variadic: false } },
      tenants: { subcommands: ["limits"], options: new Map(), arguments: { required: 0, optional: 0, variadic: false } },
      "tenants limits": {
        subcommands: [],
        options: new Map([["--per-second", "required"]]),
        arguments: { required: 1, optional: 0, variadic: false },
      },
    };
    const check = (line: string) => checkAdminCommand(shellWords(line), async (path) => tree[path.join(" ")]!);
    assert.deepEqual(await check("tenants limits acme --per-second 5"), { path: ["tenants", "limits"], problems: [] });
    assert.deepEqual(await check("tenants limits acme --per-second=5"), { path: ["tenants", "limits"], problems: [] });
    assert.deepEqual((await check("activity acme")).problems, ['the CLI has no command "activity" (it has: tenants)']);
    assert.deepEqual((await check("tenants suspend acme")).problems, ['`tenants` has no command "suspend" (it has: limits)']);
    assert.deepEqual((await check("tenants")).problems, ["`tenants` needs one of its commands (limits)"]);
    assert.deepEqual((await check("tenants limits acme --burst 9")).problems, [
      "`tenants limits` has no option --burst",
      "`tenants limits` takes 1 argument(s), not 2",
    ]);
    assert.deepEqual((await check("tenants limits")).problems, ["`tenants limits` takes 1 argument(s), not 0"]);
    // Prose may name a command without running it, but only a command that exists.
    const mention = (line: string) => checkAdminCommand(shellWords(line), async (path) => tree[path.join(" ")]!, { mention: true });
    assert.deepEqual((await mention("tenants limits")).problems, []);
    assert.deepEqual((await mention("tenants")).problems, []);
    assert.deepEqual((await mention("tenants suspend")).problems, ['`tenants` has no command "suspend" (it has: limits)']);
    assert.deepEqual((await mention("tenants limits --json")).problems, [
      "`tenants limits` has no option --json",
      "`tenants limits` takes 1 argument(s), not 0",
    ]);
  });
});
