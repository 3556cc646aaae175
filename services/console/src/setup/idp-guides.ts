import type { PortalIdp } from "./explain-activity.js";

/**
 * The setup guides the portal shows, copied from the README's *Connect Okta* and *Connect
 * Microsoft Entra ID* (a test holds each paragraph to the README's words). `https://scim.example.com/services/scim/v2`
 * stands for the install's SCIM base URL and is replaced with it. Markdown: `code` and **bold** only.
 */
export const readmeBaseUrl = "https://scim.example.com/services/scim/v2";

export interface GuideSection {
  heading: string;
  /** A paragraph, then the list items under it. */
  intro: string;
  items: string[];
  ordered: boolean;
}

export interface IdpGuide {
  name: string;
  sections: GuideSection[];
}

const okta: IdpGuide = {
  name: "Okta",
  sections: [
    {
      heading: "1. Create the app integration",
      intro: "Okta offers two kinds of app, and the product serves both. In the Admin Console, under **Applications → Applications**:",
      ordered: false,
      items: [
        "**From the catalog**: **Browse App Catalog**, search for **SCIM 2.0 Test App (OAuth Bearer Token)**, **Add Integration**, give it a name (**General Settings**, **Next**), choose SAML or SWA (**Sign-On Options**) and **Done**. Then **Provisioning → Configure API Integration**, tick **Enable API Integration**, enter the **SCIM 2.0 Base Url** and the key as **OAuth Bearer Token** (step 2's values), **Test API Credentials**, **Save**.",
        "**With the App Integration Wizard (AIW)**: **Create App Integration**, **SAML 2.0** or **SWA** (Okta cannot add SCIM provisioning to an OIDC app), finish the wizard, then on the app's **General** tab **App Settings → Edit**, **Provisioning: SCIM**, **Save**; a **Provisioning** tab appears (step 2).",
      ],
    },
    {
      heading: "2. Provisioning → Integration",
      intro: "On the AIW app's **Provisioning** tab, **Settings → Integration → Edit**:",
      ordered: true,
      items: [
        "**SCIM connector base URL**: `https://scim.example.com/services/scim/v2`. A trailing slash does no harm: the gateway reads the doubled slash it causes (`…/v2//Users`) as one, as nginx does.",
        '**Unique identifier field for users**: `userName`. Before creating a user, Okta looks it up with `filter=userName eq "…"`; userName is unique in a tenant in any letter case.',
        "**Supported provisioning actions**: **Push New Users**, **Push Profile Updates** and **Push Groups**;",
        "**Authentication Mode**: **HTTP Header**, and paste the key (`scimgw_…`) as the **Authorization** bearer token. Every request must carry `Authorization: Bearer <key>`.",
        "**Test Connector Configuration** (step 3), then **Save**.",
      ],
    },
    {
      heading: "3. Test Connector Configuration",
      intro:
        'Okta checks the connection with requests such as a lookup of a userName nobody has (`GET /Users?filter=userName eq "…"&startIndex=1&count=100`), answered `200` with an empty ListResponse (`"totalResults": 0`)',
      ordered: false,
      items: [],
    },
    {
      heading: "4. Assign people, and push groups",
      intro:
        "**Create Users**: when a person is assigned to the app, Okta looks the userName up; if nobody has it, it sends `POST /Users` with `userName`, `name`, a primary work email, `displayName`, `locale`, `externalId` (Okta's user id), `groups: []`, a password and `active: true`.",
      ordered: false,
      items: [
        "On the **Push Groups** tab, **Push Groups** (or **+ Push Groups**):",
        "**Find groups by name**: pick an Okta group and save.",
        "**Push group memberships immediately** (on by default) pushes when you save.",
      ],
    },
  ],
};

const entra: IdpGuide = {
  name: "Microsoft Entra ID",
  sections: [
    {
      heading: "1. Create the enterprise application",
      intro: "",
      ordered: true,
      items: [
        "Sign in to the Microsoft Entra admin center as at least an Application Administrator and go to **Enterprise applications** (**Identity → Applications → Enterprise applications**, or **Entra ID → Enterprise apps**).",
        "**+ New application**, then **+ Create your own application**.",
        "Name it, choose **Integrate any other application you don't find in the gallery (Non-gallery)**, and **Create**.",
        "On **Users and groups**, assign the users and groups to provision.",
      ],
    },
    {
      heading: "2. Provisioning: Automatic, Tenant URL and Secret Token",
      intro: "",
      ordered: true,
      items: [
        "Open **Provisioning** in the app's menu: **Get started** and set **Provisioning Mode** to **Automatic** (newer admin centers: **+ New configuration**).",
        "Under **Admin Credentials**: **Tenant URL** `https://scim.example.com/services/scim/v2`, and **Secret Token** the key (`scimgw_…`). Entra sends it as `Authorization: Bearer <key>`. Do not leave the token empty: Entra then sends a token of its own, which the gateway refuses (`401`, `The API key is not valid…`).",
        '**Test Connection**. Entra looks up a user that does not exist, by its matching attribute and a random GUID (`GET /Users?filter=userName eq "<guid>"`), which is `200` with an empty ListResponse, and fetches a random id, which is `404`;',
      ],
    },
    {
      heading: "3. Provision on demand, then start",
      intro:
        "**Provision on demand** takes one user (or a group with a few of its members), runs the whole flow for it at once and shows each step, with our answer to each request: use it to check the mappings before starting. Then set **Provisioning Status** to **On** and **Save** (or **Start provisioning**).",
      ordered: false,
      items: [],
    },
  ],
};

export function guideOf(idp: PortalIdp): IdpGuide {
  return idp === "okta" ? okta : entra;
}
