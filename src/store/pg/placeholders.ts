// Owns turning a statement written once with SQLite's `?` placeholders into PostgreSQL's `$1, $2, …`,
// so a statement the two dialects share is written in one place. A `?` inside a string literal is
// not a placeholder: the statements passed here keep their literals free of `?`.

/** `?` → `$n`, numbered left to right. */
export function pgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
