import { existsSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

/** Debian's chromium package (`apt-get install chromium`, which .ci/run does): no browser is ever downloaded. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Where the suites save each page's screenshot: docs/console (the README's pictures) with
 * CONSOLE_SCREENSHOTS=1, else a scratch folder, so a test run does not rewrite committed files.
 */
export const screenshotFolder =
  process.env.CONSOLE_SCREENSHOTS === "1"
    ? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../docs/console")
    : path.join(tmpdir(), "scimgw-console-screenshots");

/**
 * The browser, or undefined after a loud banner when Chromium is missing; in CI (CI=true) a
 * missing Chromium is a failure, as a missing PostgreSQL is (packages/test-stores).
 */
export async function launchBrowser(): Promise<Browser | undefined> {
  if (!existsSync(chromiumPath)) {
    const message = `Chromium is not installed at ${chromiumPath}.`;
    if (process.env.CI === "true")
      throw new Error(`${message} CI requires the console's browser tests: apt-get install -y chromium (.ci/run does).`);
    const bar = "!".repeat(100);
    process.stderr.write(
      `\n${bar}\n!! THE CONSOLE'S BROWSER TESTS DID NOT RUN: ${message}\n!! Install it (apt-get install -y chromium) or set CHROMIUM_PATH, and run the tests again.\n${bar}\n\n`,
    );
    return undefined;
  }
  // Root in a container has no user namespaces for Chromium's sandbox.
  return chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/**
 * axe-core's serious and critical violations on the page as it is now. axe is evaluated through
 * the DevTools protocol rather than added as a <script>: the console's CSP (script-src 'self')
 * rightly refuses an injected script, and it must stay on while the page is checked.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const page = globalThis as unknown as {
      axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> };
      document: unknown;
    };
    const result = await page.axe.run(page.document, { resultTypes: ["violations"] });
    return result.violations.map(({ id, impact, help, nodes }) => ({ id, impact, help, nodes: nodes.map(({ target }) => ({ target })) }));
  });
  return violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
}

/** Saves the page as <name>.png, with secrets shown once (keys, setup links) masked: screenshots are committed. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(screenshotFolder, { recursive: true });
  await page.screenshot({ path: path.join(screenshotFolder, `${name}.png`), fullPage: true, mask: [page.locator(".secret-value")] });
}
