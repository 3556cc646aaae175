import type { Context } from "koa";
import type { OperatorState } from "../context/console-context.js";
import { documentOf, type Html } from "../html/html.js";
import { page } from "../html/layout.js";

export type OperatorContext = Context & { state: OperatorState };

/** Sends a signed-in page. */
export function sendPage(ctx: OperatorContext, title: string, body: Html, trail: Array<{ href: string; label: string }> = []): void {
  ctx.type = "html";
  ctx.body = documentOf(page({ title, body, operator: ctx.state.operator, trail }));
}

/** A field of a submitted form, as a string ("" when absent). */
export function formField(ctx: Context, name: string): string {
  const value = (ctx.request as { body?: Record<string, unknown> }).body?.[name];
  return typeof value === "string" ? value : "";
}

/** After a change, back to a page with GET (so a reload does not send the form again). */
export function seeOther(ctx: Context, location: string): void {
  ctx.status = 303;
  ctx.redirect(location);
}
