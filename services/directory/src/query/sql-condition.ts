/** A parameterised SQL condition: values only ever travel as bindings. */
export interface SqlCondition {
  sql: string;
  bindings: unknown[];
}
