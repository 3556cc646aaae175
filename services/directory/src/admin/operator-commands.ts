import { InvalidArgumentError, type Command } from "commander";
import { generateOperatorPassword } from "../operators/operator-credentials.js";
import { createOperatorStore } from "../operators/operator-store.js";
import type { AdminContext } from "./admin-context.js";
import { printable, renderJson, renderTable } from "./render-output.js";

interface PasswordOptions {
  passwordStdin?: boolean;
  json?: boolean;
}

/**
 * The password an admin gives on stdin (one trailing newline dropped, as `echo` and most secret
 * stores add one), or a random one to print once. Never an argument: arguments end up in shell
 * histories and process listings.
 */
async function passwordOf(context: AdminContext, options: PasswordOptions): Promise<{ password: string; generated: boolean }> {
  if (!options.passwordStdin) return { password: generateOperatorPassword(), generated: true };
  const input = await context.readInput?.();
  if (input === undefined)
    throw new InvalidArgumentError("--password-stdin reads the password from a pipe: `… | scimgw-admin operators …`");
  return { password: input.replace(/\r?\n$/, ""), generated: false };
}

export async function addOperator(context: AdminContext, email: string, options: PasswordOptions): Promise<void> {
  const { password, generated } = await passwordOf(context, options);
  const operator = await createOperatorStore(context.db).add(email, password);
  if (options.json) context.out.write(renderJson({ ...operator, ...(generated ? { password } : {}) }));
  else
    context.out.write(
      generated
        ? `Added operator ${printable(operator.email)} (id ${operator.id}). Their password, shown only now:\n\n    ${password}\n\n`
        : `Added operator ${printable(operator.email)} (id ${operator.id}) with the password given.\n`,
    );
}

export async function listOperators({ db, out }: AdminContext, options: { json?: boolean }): Promise<void> {
  const all = await createOperatorStore(db).list();
  if (options.json) out.write(renderJson(all));
  else
    out.write(
      renderTable(
        ["email", "id", "created"],
        all.map((operator) => [operator.email, operator.id, operator.createdAt]),
      ),
    );
}

export async function removeOperator({ db, out }: AdminContext, email: string, options: { json?: boolean }): Promise<void> {
  const removed = await createOperatorStore(db).remove(email);
  if (options.json) out.write(renderJson(removed));
  else out.write(`Removed operator ${printable(removed.email)}; their console sessions ended at once.\n`);
}

export async function setOperatorPassword(context: AdminContext, email: string, options: PasswordOptions): Promise<void> {
  const { password, generated } = await passwordOf(context, options);
  const { operator, endedSessions } = await createOperatorStore(context.db).setPassword(email, password);
  if (options.json) context.out.write(renderJson({ ...operator, endedSessions, ...(generated ? { password } : {}) }));
  else
    context.out.write(
      [
        `Set the password of operator ${printable(operator.email)}; ${endedSessions} console session(s) ended.`,
        ...(generated ? ["Their new password, shown only now:", "", `    ${password}`, ""] : []),
        "",
      ].join("\n"),
    );
}

export function addOperatorCommands(program: Command, context: AdminContext): void {
  const operators = program.command("operators").description("the console's operators: who may sign in to it");
  operators
    .command("add <email>")
    .description("add an operator, with the password piped to --password-stdin or a random one printed once")
    .option("--password-stdin", "read the password (at least 12 characters) from stdin")
    .option("--json", "print JSON")
    .action((email: string, options: PasswordOptions) => addOperator(context, email, options));
  operators
    .command("list")
    .description("list operators (never their passwords)")
    .option("--json", "print JSON")
    .action((options: { json?: boolean }) => listOperators(context, options));
  operators
    .command("remove <email>")
    .description("remove an operator; their console sessions end at once")
    .option("--json", "print the removed operator as JSON")
    .action((email: string, options: { json?: boolean }) => removeOperator(context, email, options));
  operators
    .command("password <email>")
    .description("set an operator's password (piped to --password-stdin, or a random one printed once); their sessions end")
    .option("--password-stdin", "read the password (at least 12 characters) from stdin")
    .option("--json", "print JSON")
    .action((email: string, options: PasswordOptions) => setOperatorPassword(context, email, options));
}
