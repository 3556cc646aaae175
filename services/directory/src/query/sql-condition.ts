/** A parameterised SQL condition: values only ever travel as bindings. */
export interface SqlCondition {
  sql: string;
  bindings: unknown[];
  /**
   * For an expression of dateTime values: whether it reads the search document, whose dateTimes
   * have their own form (documentDateTime); otherwise they are a column's ISO milliseconds.
   */
  fromDocument?: boolean;
}
