// Issue 15, acceptance 2, against the real product on each store: CSRF refused (no token, a wrong
// one, another origin, a real cross-site form in Chromium), a setup link that cannot reach another
// tenant through any portal endpoint however its parameters are tampered with, expired and revoked
// links refused at once (open pages included), sign-out that takes effect at once, and the sign-in
// rate limit.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { createDirectoryClient } from "@scimgw/directory-client";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import type { Browser } from "playwright-core";
import { launchBrowser } from "./support/console-browser.js";
import { Product } from "./support/product.js";

const operator = { email: "guard@example.com", password: "a long and correct password" };
const oktaAgent = "Okta SCIM Client 1.0.0";

/** A console session as a browser would hold it: its cookie and the page's CSRF token. */
interface Session {
  cookie: string;
  csrf: string;
}

async function signIn(consoleUrl: string, password = operator.password): Promise<Response> {
  return fetch(`${consoleUrl}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: consoleUrl },
    body: new URLSearchParams({ email: operator.email, password }),
  });
}

async function session(consoleUrl: string): Promise<Session> {
  const response = await signIn(consoleUrl);
  assert.equal(response.status, 303);
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const page = await (await fetch(`${consoleUrl}/tenants`, { headers: { cookie } })).text();
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(page)?.[1] ?? "";
  assert.notEqual(csrf, "");
  return { cookie, csrf };
}

function post(url: string, body: Record<string, string>, headers: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(body),
  });
}

/** The token of a setup link made on the tenant's page (the URL it shows once). */
async function createLink(consoleUrl: string, own: Session, tenantId: string): Promise<string> {
  const page = await (
    await post(
      `${consoleUrl}/tenants/${tenantId}/setup-links`,
      { csrf_token: own.csrf, ttl_days: "7" },
      { cookie: own.cookie, origin: consoleUrl },
    )
  ).text();
  const token = /\/setup\/([A-Za-z0-9_-]+)</.exec(page)?.[1];
  assert.ok(token, page);
  return token;
}

/** Reads a Server-Sent Events stream for a while and returns what came. */
async function readEvents(url: string, ms: number): Promise<{ status: number; text: string }> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  if (response.status !== 200 || response.body === null) return { status: response.status, text: await response.text() };
  let text = "";
  const decoder = new TextDecoder();
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    for await (const chunk of response.body) {
      text += decoder.decode(chunk as Uint8Array, { stream: true });
      if (text.includes("event: ended")) break;
    }
  } catch {
    // aborted: the time is up
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { status: 200, text };
}

const browser: Browser | undefined = await launchBrowser();

for (const store of await storeKindsUnderTest())
  describe(`the console's defences on ${store}`, () => {
    let product: Product;
    let consoleUrl: string;
    let own: Session;
    let tenantA: string;
    let tenantB: string;
    let keyB: string;
    let client: ReturnType<typeof createDirectoryClient> | undefined;

    before(async () => {
      product = await Product.start({ store, console: true });
      consoleUrl = product.consoleUrl;
      await product.admin(["operators", "add", operator.email, "--password-stdin"], {}, `${operator.password}\n`);
      own = await session(consoleUrl);
      keyB = await product.createTenant(`beta-${store}`);
      await product.createTenant(`alpha-${store}`);
      tenantA = await product.tenantIdOf(`alpha-${store}`);
      tenantB = await product.tenantIdOf(`beta-${store}`);
    });
    after(async () => {
      client?.close();
      await product?.stop();
    });

    test("a change without the session's CSRF token, with a wrong one, or from another origin is refused before anything changes", async () => {
      const url = `${consoleUrl}/tenants/${tenantA}/rename`;
      const refusals = [
        await post(url, { name: "renamed" }, { cookie: own.cookie, origin: consoleUrl }),
        await post(url, { name: "renamed", csrf_token: `${own.csrf}x` }, { cookie: own.cookie, origin: consoleUrl }),
        await post(url, { name: "renamed", csrf_token: own.csrf }, { cookie: own.cookie, origin: "https://evil.example" }),
        await post(
          url,
          { name: "renamed", csrf_token: own.csrf },
          { cookie: own.cookie, origin: consoleUrl, "sec-fetch-site": "cross-site" },
        ),
        await post(url, { name: "renamed", csrf_token: own.csrf }, { cookie: own.cookie }),
      ];
      assert.deepEqual(
        refusals.map((response) => response.status),
        [403, 403, 403, 403, 403],
      );
      assert.equal(await product.tenantIdOf(`alpha-${store}`), tenantA, "the tenant kept its name");
      const accepted = await post(url, { name: `alpha-${store}`, csrf_token: own.csrf }, { cookie: own.cookie, origin: consoleUrl });
      assert.equal(accepted.status, 303);
    });

    test("a cross-site form in a real browser changes nothing", { skip: browser === undefined ? "no Chromium" : false }, async () => {
      const context = await browser!.newContext();
      const page = await context.newPage();
      await page.goto(`${consoleUrl}/login`);
      await page.getByLabel("Email").fill(operator.email);
      await page.getByLabel("Password").fill(operator.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(/\/tenants$/);
      const hostile: Server = createServer((_, response) => {
        response.setHeader("content-type", "text/html");
        response.end(
          `<form id="f" method="post" action="${consoleUrl}/tenants/${tenantA}/suspend"><input name="csrf_token" value="${own.csrf}"></form><script>document.getElementById("f").submit()</script>`,
        );
      }).listen(0, "127.0.0.1");
      await new Promise((resolve) => hostile.once("listening", resolve));
      try {
        // Another port is another origin (and localhost another site than 127.0.0.1).
        const response = await page.goto(`http://localhost:${(hostile.address() as AddressInfo).port}/`);
        assert.ok(response);
        await page.waitForURL(/\/suspend$/);
        assert.equal(await page.locator("h1").textContent(), "Refused");
        const { tenant } = await adminClient().tenants.getTenant({ tenantId: tenantA });
        assert.equal(tenant?.tenant?.suspendedAt, undefined, "the tenant is not suspended");
      } finally {
        hostile.close();
        await context.close();
      }
    });

    /** The directory as the console reaches it, with the console's own credential. */
    function adminClient() {
      client ??= createDirectoryClient({
        address: product.directoryAddresses[0] ?? "",
        serviceCredential: readFileSync(product.consoleCredentialFile, "utf8").trim(),
      });
      return client;
    }

    test("a setup link reaches its own tenant only, through every portal endpoint, whatever its parameters say", async () => {
      const token = await createLink(consoleUrl, own, tenantA);
      // Tenant B has activity of its own, which no page of A's link may show.
      const secretPath = `/Users?filter=${encodeURIComponent('userName eq "beta-secret@example.com"')}`;
      assert.equal(
        (await fetch(`${product.baseUrl}${secretPath}`, { headers: { Authorization: `Bearer ${keyB}`, "User-Agent": oktaAgent } })).status,
        200,
      );
      const tampered = `tenant=${tenantB}&tenant_id=${tenantB}&tenantId=${tenantB}`;
      for (const path of [`/setup/${token}?${tampered}`, `/setup/${token}/okta?${tampered}`, `/setup/${token}/entra?${tampered}`]) {
        const page = await (await fetch(`${consoleUrl}${path}`)).text();
        assert.ok(page.includes(`alpha-${store}`), path);
        assert.ok(!page.includes(`beta-${store}`) && !page.includes(tenantB) && !page.includes("beta-secret"), path);
      }
      const events = await readEvents(`${consoleUrl}/setup/${token}/okta/events?after=0&${tampered}`, 1500);
      assert.equal(events.status, 200);
      assert.ok(!events.text.includes("beta-secret") && !events.text.includes(tenantB), events.text);
      // Issuing a key with another tenant named anywhere still issues A's key.
      const issued = await (
        await post(`${consoleUrl}/setup/${token}/okta/key?${tampered}`, { tenant_id: tenantB, tenantId: tenantB }, { origin: consoleUrl })
      ).text();
      const key = /id="new-key"[^>]*>([^<]+)</.exec(issued)?.[1];
      assert.ok(key?.startsWith("scimgw_"), issued);
      const userName = `via-link-${store}@example.com`;
      const created = await fetch(`${product.baseUrl}/Users`, {
        method: "POST",
        headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/scim+json" },
        body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName }),
      });
      assert.equal(created.status, 201);
      assert.match(await product.admin(["users", "list", `alpha-${store}`, "--json"]), new RegExp(userName));
      assert.doesNotMatch(await product.admin(["users", "list", `beta-${store}`, "--json"]), new RegExp(userName));
      // A token that differs in one character is another (unknown) link, not a neighbour.
      const forged = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
      for (const path of [`/setup/${forged}`, `/setup/${forged}/okta`, `/setup/${forged}/okta/events`])
        assert.equal((await fetch(`${consoleUrl}${path}`)).status, 404, path);
      assert.equal((await post(`${consoleUrl}/setup/${forged}/okta/key`, {}, { origin: consoleUrl })).status, 404);
      // The portal takes the key button only from its own page.
      assert.equal((await post(`${consoleUrl}/setup/${token}/okta/key`, {}, { origin: "https://evil.example" })).status, 403);
      // No operator page opens with a setup link's token.
      assert.equal(
        (await fetch(`${consoleUrl}/tenants/${tenantB}`, { redirect: "manual", headers: { cookie: `scimgw_session=${token}` } })).status,
        302,
      );
    });

    test("revoked and expired links are refused at once, open live views included", async () => {
      const token = await createLink(consoleUrl, own, tenantA);
      assert.equal((await fetch(`${consoleUrl}/setup/${token}/okta`)).status, 200);
      const open = readEvents(`${consoleUrl}/setup/${token}/okta/events`, 5000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const links = await adminClient().setupLinks.listSetupLinks({ tenantId: tenantA });
      const link = links.setupLinks.find((candidate) => candidate.revokedAt === undefined);
      assert.ok(link);
      const revoked = await post(
        `${consoleUrl}/tenants/${tenantA}/setup-links/${link.id}/revoke`,
        { csrf_token: own.csrf },
        { cookie: own.cookie, origin: consoleUrl },
      );
      assert.equal(revoked.status, 303);
      const ended = await open;
      assert.match(ended.text, /event: ended\ndata: .*revoked/);
      for (const path of [`/setup/${token}`, `/setup/${token}/okta`, `/setup/${token}/okta/events`]) {
        const response = await fetch(`${consoleUrl}${path}`);
        assert.equal(response.status, 410, path);
        assert.ok(!(await response.text()).includes(`alpha-${store}`), "a refused link names no tenant");
      }
      assert.equal((await post(`${consoleUrl}/setup/${token}/okta/key`, {}, { origin: consoleUrl })).status, 410);

      const short = await adminClient().setupLinks.createSetupLink({ tenantId: tenantA, ttlSeconds: 1, createdBy: operator.email });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const expired = await fetch(`${consoleUrl}/setup/${short.token}`);
      assert.equal(expired.status, 410);
      assert.match(await expired.text(), /has expired/);
    });

    test("signing out ends the session at once; sign-in failures are limited", async () => {
      const mine = await session(consoleUrl);
      assert.equal((await fetch(`${consoleUrl}/tenants`, { redirect: "manual", headers: { cookie: mine.cookie } })).status, 200);
      assert.equal(
        (await post(`${consoleUrl}/logout`, { csrf_token: mine.csrf }, { cookie: mine.cookie, origin: consoleUrl })).status,
        303,
      );
      assert.equal((await fetch(`${consoleUrl}/tenants`, { redirect: "manual", headers: { cookie: mine.cookie } })).status, 302);

      let limited: Response | undefined;
      for (let attempt = 0; attempt < 50 && limited === undefined; attempt++) {
        const response = await signIn(consoleUrl, "wrong password");
        if (response.status === 429) limited = response;
        else assert.equal(response.status, 401);
      }
      assert.ok(limited, "the sign-in limit never refused");
      assert.match(await limited.text(), /Too many failed sign-ins; try again in \d+ minutes?/);
      // Even the right password is refused while the limit holds.
      assert.equal((await signIn(consoleUrl)).status, 429);
    });
  });

after(() => browser?.close());
