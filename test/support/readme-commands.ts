import { fencedBlocks } from "./readme-snippets.js";

/** An admin CLI command line found in a README, as the words the CLI would receive. */
export interface AdminCommandLine {
  /** The README, relative to the repository root. */
  readme: string;
  /** 1-based line in the README. */
  line: number;
  /** The command as written, from the CLI's name on. */
  text: string;
  /** The words after the CLI's name: `["keys", "issue", "acme", "--label", "okta"]`. */
  words: string[];
  /** Found in an inline code span of the prose, where `admin tenants limits` may name a command without running it. */
  inline: boolean;
}

/**
 * How a README runs the admin CLI: `scimgw-admin`, `pnpm admin` (any pnpm version, so also
 * `npx --yes pnpm@10.34.9 admin`), or the built file itself.
 */
const adminCli = /(?:\bscimgw-admin|\bpnpm(?:@[\w.-]+)?\s+admin|\bdist\/admin\/main\.js)(?=\s|$)/g;

/** Where a command ends in a shell line: a pipe, a list operator, or a redirection. */
const commandEnd = new Set(["|", "||", "&&", ";", "&"]);

/**
 * Splits a shell command into the words a program receives, as far as READMEs write them: quotes,
 * backslash escapes, `$(…)` substitutions and `<placeholders>` (which may hold spaces) stay inside
 * a word; a `#` comment, a pipe, `&&`, `;` or a redirection ends the command.
 */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  const add = (character: string) => {
    word = (word ?? "") + character;
  };
  for (let i = 0; i < text.length; i++) {
    const character = text[i]!;
    if (/\s/.test(character)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      continue;
    }
    if (word === undefined && character === "#") break;
    if (word === undefined && (character === ">" || /^\d>/.test(text.slice(i, i + 2)))) break;
    const operator = /^(\|\||&&|[|;&])/.exec(text.slice(i))?.[1];
    if (operator !== undefined && commandEnd.has(operator)) break;
    if (character === "'") {
      const close = text.indexOf("'", i + 1);
      const end = close === -1 ? text.length : close;
      add(text.slice(i + 1, end));
      i = end;
    } else if (character === '"') {
      let j = i + 1;
      let quoted = "";
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === "\\" && j + 1 < text.length && /["\\$`]/.test(text[j + 1]!)) j++;
        quoted += text[j];
      }
      add(quoted);
      i = j;
    } else if (character === "\\") {
      add(text[i + 1] ?? "");
      i++;
    } else if (text.startsWith("$(", i)) {
      let depth = 0;
      let j = i;
      for (; j < text.length; j++) {
        if (text[j] === "(") depth++;
        if (text[j] === ")" && --depth === 0) break;
      }
      add(text.slice(i, j + 1));
      i = j;
    } else if (character === "<" && word === undefined && text.indexOf(">", i) !== -1) {
      const close = text.indexOf(">", i);
      add(text.slice(i, close + 1));
      i = close;
    } else add(character);
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** Each admin command in one line of shell or inline code: from the CLI's name, and after it, to the line's end. */
function commandsIn(text: string): Array<{ command: string; args: string }> {
  return [...text.matchAll(adminCli)].map((match) => ({
    command: text.slice(match.index),
    args: text.slice(match.index + match[0].length),
  }));
}

/** The README's shorthand in prose: an inline code span that is a whole command, `admin keys list acme`. */
const shorthand = /^admin\s/;

/**
 * Every admin CLI command line of a README: in fenced shell blocks (`sh`, `bash`, `ini` for
 * systemd units, and unlabelled ones), with `\` continuations joined, and in inline code spans of
 * the prose, where `admin …` alone also names a command. A line whose command is itself a
 * placeholder (`admin <command>`) is left out.
 */
export function extractAdminCommands(readme: string, markdown: string): AdminCommandLine[] {
  const lines = markdown.split(/\r?\n/);
  const found: AdminCommandLine[] = [];
  const collect = (line: number, text: string, inline: boolean) => {
    const commands = inline && shorthand.test(text) ? [{ command: text, args: text.replace(shorthand, "") }] : commandsIn(text);
    for (const { command, args } of commands) {
      const words = shellWords(args);
      if (words[0] === undefined || words[0].startsWith("<")) continue;
      found.push({ readme, line, text: command.trim(), words, inline });
    }
  };

  const inBlock = new Set<number>();
  for (const block of fencedBlocks(markdown)) {
    for (let i = block.opening; i <= block.closing; i++) inBlock.add(i);
    if (!["", "sh", "bash", "shell", "console", "ini"].includes(block.language)) continue;
    for (let i = 0; i < block.lines.length; i++) {
      const first = i;
      let text = block.lines[i]!;
      while (text.endsWith("\\") && i + 1 < block.lines.length) text = `${text.slice(0, -1)} ${block.lines[++i]!.trim()}`;
      collect(block.opening + 2 + first, text, false);
    }
  }
  // Code spans may wrap onto the next line, never past a paragraph (CommonMark): read paragraph by paragraph.
  for (let start = 0; start < lines.length; start++) {
    if (inBlock.has(start) || lines[start]!.trim() === "") continue;
    let end = start;
    while (end + 1 < lines.length && !inBlock.has(end + 1) && lines[end + 1]!.trim() !== "") end++;
    const paragraph = lines.slice(start, end + 1).join("\n");
    for (const span of paragraph.matchAll(/(`+)(?!`)([\s\S]+?)(?<!`)\1(?!`)/g)) {
      const line = start + 1 + (paragraph.slice(0, span.index).match(/\n/g)?.length ?? 0);
      collect(line, span[2]!.replace(/\s+/g, " ").trim(), true);
    }
    start = end;
  }
  return found;
}

/** What `--help` says about one command of the CLI. */
export interface CommandHelp {
  /** Its subcommands (`help` aside), for a command such as `tenants`. */
  subcommands: string[];
  /** Its options by every name (`-h` and `--help`), and whether each takes a value. */
  options: Map<string, "required" | "optional" | "none">;
  /** Its positional arguments, from the usage line. */
  arguments: { required: number; optional: number; variadic: boolean };
}

/**
 * Reads commander's help text. Entries start two spaces in; a wrapped description continues
 * further in, so it is never read as an entry.
 */
export function parseHelp(text: string): CommandHelp {
  const lines = text.split("\n");
  const section = (title: string) => {
    const start = lines.indexOf(`${title}:`);
    if (start === -1) return [];
    const end = lines.findIndex((line, i) => i > start && line.trim() === "");
    return lines.slice(start + 1, end === -1 ? lines.length : end);
  };
  const subcommands = section("Commands")
    .map((line) => /^ {2}([a-z][\w-]*)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined && name !== "help");
  const options = new Map<string, "required" | "optional" | "none">();
  for (const line of section("Options")) {
    const entry = /^ {2}(-\w)?(?:, )?(--[\w-]+)?( <[^>]+>| \[[^\]]+\])?/.exec(line);
    if (entry === null || (entry[1] === undefined && entry[2] === undefined)) continue;
    const takes = entry[3] === undefined ? "none" : entry[3].trim().startsWith("<") ? "required" : "optional";
    for (const name of [entry[1], entry[2]]) if (name !== undefined) options.set(name, takes);
  }
  const usage = /^Usage: \S+(.*)$/m.exec(text)?.[1] ?? "";
  const afterOptions = usage.replace(/^.*?\[options\]/, "").replace(/\[command\]/, "");
  const required = afterOptions.match(/<[^>]+>/g) ?? [];
  const optional = afterOptions.match(/\[[^\]]+\]/g) ?? [];
  return {
    subcommands,
    options,
    arguments: { required: required.length, optional: optional.length, variadic: /\.\.\.[>\]]/.test(afterOptions) },
  };
}

/** The command path a line resolves to, and what in it the CLI does not offer. */
export interface CommandCheck {
  path: string[];
  problems: string[];
}

/**
 * Checks one command line against the CLI: each word that names a command must be one its parent
 * lists, each option one that command lists (with its value, if it takes one), and the number of
 * arguments what its usage line allows. `helpOf` gives the help of a command path (`[]` is the
 * CLI itself). With `mention`, a line of command words alone (prose naming `admin tenants
 * limits`) only has to name commands that exist.
 */
export async function checkAdminCommand(
  words: string[],
  helpOf: (path: string[]) => Promise<CommandHelp>,
  { mention = false }: { mention?: boolean } = {},
): Promise<CommandCheck> {
  const path: string[] = [];
  let help = await helpOf(path);
  let i = 0;
  while (i < words.length && help.subcommands.length > 0 && !words[i]!.startsWith("-")) {
    const word = words[i]!;
    if (!help.subcommands.includes(word)) {
      const where = path.length === 0 ? "the CLI" : `\`${path.join(" ")}\``;
      return { path: [...path, word], problems: [`${where} has no command "${word}" (it has: ${help.subcommands.join(", ")})`] };
    }
    path.push(word);
    help = await helpOf(path);
    i++;
  }
  const problems: string[] = [];
  if (mention && i === words.length) return { path, problems };
  if (help.subcommands.length > 0 && path.length > 0)
    problems.push(`\`${path.join(" ")}\` needs one of its commands (${help.subcommands.join(", ")})`);
  let positional = 0;
  for (; i < words.length; i++) {
    const word = words[i]!;
    if (!word.startsWith("-") || word === "-") {
      positional++;
      continue;
    }
    const name = word.includes("=") ? word.slice(0, word.indexOf("=")) : word;
    const takes = help.options.get(name);
    if (takes === undefined) {
      problems.push(`\`${path.join(" ") || "scimgw-admin"}\` has no option ${name}`);
      continue;
    }
    if (word.includes("=")) continue;
    if (takes === "required" || (takes === "optional" && words[i + 1] !== undefined && !words[i + 1]!.startsWith("-"))) i++;
  }
  const { required, optional, variadic } = help.arguments;
  if (positional < required || (!variadic && positional > required + optional))
    problems.push(
      `\`${path.join(" ")}\` takes ${optional === 0 ? required : `${required} to ${required + optional}`} argument(s), not ${positional}`,
    );
  return { path, problems };
}

/**
 * The names of settings a Markdown text mentions: backticked `UPPER_CASE` words with an
 * underscore (alone or as `NAME=value`), and `NAME=` assignments in its code blocks.
 */
export function settingNamesIn(markdown: string): Set<string> {
  const names = new Set<string>();
  const setting = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
  for (const span of markdown.matchAll(/`([^`\n]+)`/g)) {
    const name = span[1]!.split("=")[0]!.trim();
    if (setting.test(name)) names.add(name);
  }
  for (const block of fencedBlocks(markdown))
    for (const line of block.lines)
      for (const assignment of line.matchAll(/(?:^|[\s=])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)=/g)) names.add(assignment[1]!);
  return names;
}

/** The settings a README's Settings table names, from each row's first cell (`A` / `B` rows name both). */
export function settingsTable(markdown: string): Set<string> {
  const start = markdown.indexOf("\n## Settings\n");
  if (start === -1) return new Set();
  const end = markdown.indexOf("\n## ", start + 1);
  const names = new Set<string>();
  for (const row of markdown.slice(start, end === -1 ? undefined : end).split("\n")) {
    if (!row.startsWith("| `")) continue;
    for (const name of row.split("|")[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(name[1]!);
  }
  return names;
}

/** The text of the sections whose headings are given, each up to the next heading of its level or above. */
export function sections(markdown: string, headings: readonly string[]): string {
  const lines = markdown.split("\n");
  const parts: string[] = [];
  for (const heading of headings) {
    const start = lines.findIndex((line) => /^#+ /.test(line) && line.replace(/^#+ /, "") === heading);
    if (start === -1) throw new Error(`no section "${heading}"`);
    const level = /^#+/.exec(lines[start]!)![0].length;
    let end = start + 1;
    while (end < lines.length && !(/^#+ /.test(lines[end]!) && /^#+/.exec(lines[end]!)![0].length <= level)) end++;
    parts.push(lines.slice(start, end).join("\n"));
  }
  return parts.join("\n");
}
