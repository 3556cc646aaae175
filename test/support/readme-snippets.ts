import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import ts from "typescript";

/** A fenced ```ts block of a README, with where it starts so errors point into the README. */
export interface Snippet {
  /** The README, relative to the repository root. */
  readme: string;
  /** 1-based line of the snippet's first line of code in the README. */
  line: number;
  code: string;
  /** False for a block fenced as ```ts no-check: a sketch that is not meant to compile. */
  checked: boolean;
}

/** The README of the repository and of every package, service and the test folder. */
export function findReadmes(root: string): string[] {
  const folders = ["packages", "services"].flatMap((parent) =>
    readdirSync(join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(parent, entry.name)),
  );
  return ["README.md", ...folders.map((folder) => join(folder, "README.md")), join("test", "README.md")].filter((readme) =>
    existsSync(join(root, readme)),
  );
}

const opening = /^( *)(`{3,}|~{3,})\s*([\w-]*)(.*)$/;

/** A fenced code block of a Markdown text. */
export interface FencedBlock {
  /** The info string's first word (`ts`, `sh`…), empty if none. */
  language: string;
  /** The rest of the info string (`no-check`…). */
  info: string;
  /** 0-based index of the opening fence's line; the code starts on the next one. */
  opening: number;
  /** 0-based index of the closing fence's line (the text's length if it never closes). */
  closing: number;
  /** The code's lines, with the fence's indentation removed. */
  lines: string[];
}

/** Every fenced block of a Markdown text, as CommonMark reads fences (indented ones included). */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: FencedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = opening.exec(lines[i] ?? "");
    if (!open) continue;
    const [, indent = "", fence = "", language = "", info = ""] = open;
    const closing = new RegExp(`^ *${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`);
    let end = i + 1;
    while (end < lines.length && !closing.test(lines[end] ?? "")) end++;
    const body = lines.slice(i + 1, end).map((text) => (text.startsWith(indent) ? text.slice(indent.length) : text.trimStart()));
    blocks.push({ language, info, opening: i, closing: end, lines: body });
    i = end;
  }
  return blocks;
}

/** Every fenced TypeScript block of a Markdown text (CommonMark fences, indented ones included). */
export function extractSnippets(readme: string, markdown: string): Snippet[] {
  return fencedBlocks(markdown)
    .filter((block) => block.language === "ts" || block.language === "typescript")
    .map((block) => ({ readme, line: block.opening + 2, code: block.lines.join("\n"), checked: !/\bno-check\b/.test(block.info) }));
}

/**
 * Type-checks snippets with the repository's compiler options, each as a module of its own placed
 * beside its README, so `@scimgw/...` imports resolve as they do for that package (through the
 * packages' built types, as a consumer sees them: run `pnpm build` first, as turbo does for tests).
 * Returns one line per error, `README.md:line:column TScode: message`; none when all compile.
 */
export function typeCheckSnippets(root: string, snippets: readonly Snippet[]): string[] {
  const baseConfig = join(root, "tsconfig.base.json");
  const { config, error } = ts.readConfigFile(baseConfig, ts.sys.readFile);
  if (error) return [ts.flattenDiagnosticMessageText(error.messageText, "\n")];
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root, { noEmit: true }, baseConfig);
  const options = parsed.options;

  const virtual = new Map<string, { text: string; snippet: Snippet }>();
  for (const snippet of snippets) {
    if (!snippet.checked) continue;
    // A package's README resolves its imports from its own folder (the package names itself); the
    // root README's from test/, the consumer that depends on every package a README documents.
    const folder = dirname(snippet.readme) === "." ? "test" : dirname(snippet.readme);
    const fileName = join(root, folder, `__${snippet.readme.replace(/[^A-Za-z0-9]/g, "-")}-line-${snippet.line}.ts`);
    // `export {}` makes a snippet without imports a module too (so top-level await works and
    // snippets do not share one global scope); appended, it moves no line.
    virtual.set(fileName, { text: `${snippet.code}\nexport {};\n`, snippet });
  }

  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (fileName) => virtual.has(fileName) || fileExists.call(host, fileName);
  host.readFile = (fileName) => virtual.get(fileName)?.text ?? readFile.call(host, fileName);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const file = virtual.get(fileName);
    return file
      ? ts.createSourceFile(fileName, file.text, languageVersion, true)
      : getSourceFile.call(host, fileName, languageVersion, onError, shouldCreate);
  };

  const program = ts.createProgram({ rootNames: [...virtual.keys()], options, host });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((diagnostic) => diagnostic.file === undefined || virtual.has(diagnostic.file.fileName))
    .map((diagnostic) => {
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
      const file = diagnostic.file && virtual.get(diagnostic.file.fileName);
      if (!diagnostic.file || !file || diagnostic.start === undefined) return `TS${diagnostic.code}: ${message}`;
      const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      return `${file.snippet.readme}:${file.snippet.line + line}:${character + 1} TS${diagnostic.code}: ${message}`;
    });
}
