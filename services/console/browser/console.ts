// The console's one script module: each feature finds its elements by data attribute, so a page
// without them costs nothing, and every page works (less live) without this script.
import { enableCopyButtons } from "./copy-button.js";
import { followActivity } from "./live-activity.js";
import { followChanges } from "./live-changes.js";
import { followChecklist } from "./setup-checklist.js";

enableCopyButtons(document);
followActivity(document);
followChanges(document);
followChecklist(document);
