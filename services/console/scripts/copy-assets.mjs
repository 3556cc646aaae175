// The stylesheet ships beside the compiled browser scripts in dist/assets, which the console
// serves itself: nothing comes from a CDN.
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const target = path.join(here, "../dist/assets");
mkdirSync(target, { recursive: true });
copyFileSync(path.join(here, "../assets/console.css"), path.join(target, "console.css"));
