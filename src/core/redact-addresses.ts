// Owns redaction of free text bound for logs (remote SMTP replies, errors): every address outside
// the relay domains keeps only its domain. Linear: one pass of a regex without nested repetition.

const ADDRESS = /[^\s<>()[\]"'@,;:]{1,64}@([A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*)/g;

export function redactAddresses(text: string, keepDomains: readonly string[]): string {
  return text.replace(ADDRESS, (match, domain: string) => (keepDomains.includes(domain.toLowerCase()) ? match : `[redacted]@${domain}`));
}
