// Owns the one error that says "parsing took too long" (answered 451, the sender retries), in a
// module of its own so the SMTP thread can recognise it without loading the MIME parser.

/** Parsing a message took longer than the configured parseTimeoutMs. */
export class ParseTimeout extends Error {}
