// Owns reading a numeric id from a path parameter the same way on both databases: anything but
// 1–15 digits becomes -1, an id no row has (PostgreSQL refuses NaN or "1.5" for a BIGINT with an
// error, where SQLite just finds nothing).

/** The id in `v`, or -1 when `v` is not one. */
export function paramId(v: string | undefined): number {
  return v !== undefined && /^\d{1,15}$/.test(v) ? Number(v) : -1;
}
