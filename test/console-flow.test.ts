// Issue 15, acceptance 1 and 3: an operator and a customer's IT admin in Debian's Chromium against
// the real product on each store. The operator signs in, creates a tenant, issues a key (copy
// button), creates a setup link; the IT admin opens it in another browser context, picks Okta and
// issues a key; Okta's connector test and a user creation replayed with that key tick the
// checklist within 2 s without a reload, and a failing request appears with its explanation.
// axe-core checks every page; each is saved as a screenshot (CONSOLE_SCREENSHOTS=1: docs/console).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { launchBrowser, screenshot, seriousViolations } from "./support/console-browser.js";
import { Product } from "./support/product.js";

const oktaAgent = "Okta SCIM Client 1.0.0";
const operator = { email: "ops@example.com", password: "correct horse battery staple" };
const hostileUserName = "<img src=x onerror=window.__xss=1>";

/** Checks the page with axe-core and saves it; `name` also names the screenshot. */
async function checkPage(page: Page, name: string, store: string): Promise<void> {
  const violations = await seriousViolations(page);
  assert.deepEqual(violations, [], `${name}: ${JSON.stringify(violations, null, 2)}`);
  if (store === "sqlite") await screenshot(page, name);
}

function scim(product: Product, key: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${product.baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, "User-Agent": oktaAgent, "Content-Type": "application/scim+json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const browser: Browser | undefined = await launchBrowser();

for (const store of browser === undefined ? [] : await storeKindsUnderTest())
  describe(`the console in Chromium on ${store}`, () => {
    let product: Product;
    let operatorContext: BrowserContext;
    let adminContext: BrowserContext;
    let page: Page;
    let tenantUrl = "";
    let setupLink = "";
    let portalKey = "";
    let operatorKey = "";
    const tenantName = `acme-${store}`;

    before(async () => {
      // Keys are verified again every second, so a suspension or a revocation shows at once.
      product = await Product.start({ store, console: true, gatewayEnv: { API_KEY_CACHE_SECONDS: "1" } });
      await product.admin(["operators", "add", operator.email, "--password-stdin"], {}, `${operator.password}\n`);
      operatorContext = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
      await operatorContext.grantPermissions(["clipboard-read", "clipboard-write"], { origin: product.consoleUrl });
      page = await operatorContext.newPage();
    });
    after(async () => {
      await operatorContext?.close();
      await adminContext?.close();
      await product?.stop();
    });

    test("an operator signs in, creates a tenant, issues a key with its copy button and creates a setup link", async () => {
      await page.goto(`${product.consoleUrl}/tenants`);
      assert.match(page.url(), /\/login\?next=/);
      await checkPage(page, "login", store);
      await page.getByLabel("Email").fill(operator.email);
      await page.getByLabel("Password").fill(operator.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(/\/tenants$/);
      await page.getByLabel("Name").fill(tenantName);
      await page.getByRole("button", { name: "Create tenant" }).click();
      await page.waitForURL(/\/tenants\/[0-9a-f-]{36}$/);
      tenantUrl = page.url();
      await page.getByLabel("Label").fill("okta-prod");
      await page.getByRole("button", { name: "Issue a key" }).click();
      const key = (await page.locator("#new-key").textContent()) ?? "";
      assert.match(key, /^scimgw_/);
      operatorKey = key;
      await page.locator('button[data-copy="new-key"]').click();
      await page.getByText("Copied.").waitFor();
      assert.equal(
        await page.evaluate(() =>
          (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText(),
        ),
        key,
      );
      await checkPage(page, "tenant-key-issued", store);
      assert.equal((await scim(product, key, "GET", "/Users?count=1")).status, 200, "the key shown works at the gateway");
      await page.getByRole("button", { name: "Create a setup link" }).click();
      setupLink = (await page.locator("#new-link").textContent({ timeout: 5000 })) ?? "";
      assert.ok(setupLink.startsWith(`${product.consoleUrl}/setup/`), setupLink);
      await checkPage(page, "tenant-setup-link", store);
      await page.goto(`${product.consoleUrl}/tenants`);
      await page.getByRole("link", { name: tenantName }).waitFor();
      await checkPage(page, "tenants", store);
    });

    test("the IT admin opens the link, picks Okta, issues a key, and the checklist follows Okta's requests live", async () => {
      adminContext = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
      const portal = await adminContext.newPage();
      await portal.goto(setupLink);
      await portal.getByText(tenantName).first().waitFor();
      await checkPage(portal, "portal-choose", store);
      await portal.getByRole("link", { name: "Okta" }).click();
      await portal.getByRole("button", { name: "Issue the API key" }).click();
      portalKey = (await portal.locator("#new-key").textContent()) ?? "";
      assert.match(portalKey, /^scimgw_/);
      assert.equal(await portal.locator("#base-url").textContent(), product.baseUrl);
      await checkPage(portal, "portal-okta", store);

      // Okta's Test Connector Configuration: a lookup of a userName nobody has.
      let sent = performance.now();
      const lookup = await scim(
        product,
        portalKey,
        "GET",
        `/Users?filter=${encodeURIComponent('userName eq "nobody@acme.example"')}&startIndex=1&count=100`,
      );
      assert.equal(lookup.status, 200);
      await portal.locator('#step-connector[data-done="true"]').waitFor({ timeout: 2000 });
      const connectorMs = performance.now() - sent;

      sent = performance.now();
      const user = {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName: `ada-${store}@acme.example`,
        name: { givenName: "Ada" },
        active: true,
      };
      assert.equal((await scim(product, portalKey, "POST", "/Users", user)).status, 201);
      await portal.locator('#step-user[data-done="true"]').waitFor({ timeout: 2000 });
      const userMs = performance.now() - sent;

      assert.equal((await scim(product, portalKey, "POST", "/Users", user)).status, 409);
      await portal.locator("#requests li.failed", { hasText: "409: a user with this userName already exists" }).waitFor({ timeout: 2000 });
      await portal.getByText("give the Okta user another userName").first().waitFor();

      assert.equal(
        (
          await scim(product, portalKey, "POST", "/Groups", {
            schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            displayName: "Engineering",
            members: [],
          })
        ).status,
        201,
      );
      await portal.locator('#step-group[data-done="true"]').waitFor({ timeout: 2000 });
      process.stdout.write(
        `checklist ticked ${connectorMs.toFixed(0)} ms after the connector test, ${userMs.toFixed(0)} ms after the user's creation\n`,
      );
      await checkPage(portal, "portal-checklist", store);
      await portal.goto(`${setupLink}/entra`);
      await portal.getByText("Tenant URL").first().waitFor();
      await checkPage(portal, "portal-entra", store);
      await portal.setViewportSize({ width: 390, height: 844 });
      assert.equal(await portal.evaluate("document.documentElement.scrollWidth"), 390, "nothing is wider than a phone");
      if (store === "sqlite") await screenshot(portal, "portal-phone");
    });

    test("users, a user, groups, the activity log with its live tail and the change feed; hostile values stay text", async () => {
      // Ada may exist already (the portal's test pushed her): either answer will do.
      await scim(product, operatorKey, "POST", "/Users", {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName: `ada-${store}@acme.example`,
      });
      assert.equal(
        (
          await scim(product, operatorKey, "POST", "/Users", {
            schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
            userName: hostileUserName,
            displayName: hostileUserName,
            entitlements: [{ value: "billing-admin" }],
          })
        ).status,
        201,
      );
      await page.goto(`${tenantUrl}/users`);
      await page.getByRole("link", { name: hostileUserName }).waitFor();
      await checkPage(page, "users", store);
      await page.getByLabel("SCIM filter").fill('userName eq "nobody"x');
      await page.getByRole("button", { name: "Filter" }).click();
      await page.locator(".notice.error", { hasText: "invalidFilter" }).waitFor();
      await page.getByLabel("SCIM filter").fill(`userName sw "ada-${store}"`);
      await page.getByRole("button", { name: "Filter" }).click();
      await page.getByRole("link", { name: `ada-${store}@acme.example` }).waitFor();
      assert.equal(await page.getByRole("link", { name: hostileUserName }).count(), 0);

      await page.goto(`${tenantUrl}/users?filter=${encodeURIComponent('userName sw "<img"')}`);
      await page.getByRole("link", { name: hostileUserName }).click();
      await page.getByRole("heading", { name: hostileUserName }).waitFor();
      await page.getByText("billing-admin").waitFor();
      assert.equal(await page.evaluate(() => (globalThis as { __xss?: number }).__xss), undefined, "the userName did not run");
      assert.equal(await page.locator("img").count(), 0);
      await checkPage(page, "user", store);

      const group = { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Platform", members: [] };
      assert.equal((await scim(product, operatorKey, "POST", "/Groups", group)).status, 201);
      await page.goto(`${tenantUrl}/groups`);
      await page.getByText("Platform").waitFor();
      await checkPage(page, "groups", store);

      await page.goto(`${tenantUrl}/activity`);
      await page.getByText("Live: new requests appear at the top.").waitFor();
      await scim(product, operatorKey, "GET", "/Users/00000000-0000-4000-8000-000000000000");
      await page.locator("tbody tr.fresh", { hasText: "404" }).waitFor({ timeout: 3000 });
      await checkPage(page, "activity", store);
      await page.goto(`${tenantUrl}/activity?status=4xx`);
      assert.equal(await page.locator("tbody tr", { hasText: "201" }).count(), 0);

      await page.goto(`${tenantUrl}/changes`);
      await page.locator("tbody tr", { hasText: "created" }).first().waitFor({ timeout: 3000 });
      await scim(product, operatorKey, "POST", "/Users", {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName: `grace-${store}@acme.example`,
      });
      await page.locator("tbody tr", { hasText: "created" }).nth(2).waitFor({ timeout: 3000 });
      await checkPage(page, "changes", store);

      await page.goto(tenantUrl);
      await checkPage(page, "tenant", store);
      await page.setViewportSize({ width: 390, height: 844 });
      assert.equal(await page.evaluate("document.documentElement.scrollWidth"), 390, "nothing is wider than a phone: tables scroll");
      if (store === "sqlite") await screenshot(page, "tenant-phone");
      await page.setViewportSize({ width: 1280, height: 900 });
      assert.equal(await page.evaluate(() => (globalThis as { __xss?: number }).__xss), undefined);
    });

    test("the tenant page sets and removes a rate limit, suspends and resumes, and revokes a key, each felt at the gateway", async () => {
      await page.goto(tenantUrl);
      await page.getByLabel("Per second").fill("200");
      await page.getByLabel("Burst").fill("800");
      await page.getByRole("button", { name: "Set the limit" }).click();
      await page.getByText("requests per second, bursts of").waitFor();
      await page.getByRole("button", { name: "Use the defaults" }).click();
      await page.getByText("The gateways' defaults apply.").waitFor();
      await page.getByLabel("Per second").fill("5");
      await page.getByLabel("Burst").fill("1");
      await page.getByRole("button", { name: "Set the limit" }).click();
      await page.locator(".notice.error").waitFor();

      await page.getByRole("button", { name: "Suspend the tenant" }).click();
      await page.getByText("This tenant is suspended").waitFor();
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const suspended = await scim(product, operatorKey, "GET", "/Users?count=1");
      assert.equal(suspended.status, 401);
      assert.match(((await suspended.json()) as { detail: string }).detail, /suspended/);
      await page.getByRole("button", { name: "Resume the tenant" }).click();
      await page.getByRole("button", { name: "Suspend the tenant" }).waitFor();
      await new Promise((resolve) => setTimeout(resolve, 1200));
      assert.equal((await scim(product, operatorKey, "GET", "/Users?count=1")).status, 200);

      // A portal left open learns at once that its link was revoked; the link's pages are gone.
      const portal = await adminContext.newPage();
      await portal.goto(`${setupLink}/okta`);
      await portal.getByText("Listening for requests").waitFor();
      await page.getByRole("button", { name: /Revoke setup link/ }).click();
      await page.getByRole("cell", { name: "revoked" }).waitFor();
      await portal.getByText("This setup link was revoked").waitFor({ timeout: 3000 });
      const gone = await portal.goto(setupLink);
      assert.equal(gone?.status(), 410);
      await checkPage(portal, "portal-revoked", store);

      await page.getByRole("button", { name: /Revoke key okta-prod/ }).click();
      await page
        .getByRole("row", { name: /okta-prod/ })
        .getByText("revoked")
        .waitFor();
      await new Promise((resolve) => setTimeout(resolve, 1200));
      assert.equal((await scim(product, operatorKey, "GET", "/Users?count=1")).status, 401);
    });
  });

after(() => browser?.close());
