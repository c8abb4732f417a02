// Owns what a start prints for people (on stderr, beside the JSON log on stdout): where the admin
// and SMTP are, on lines of their own; on the start that generated the API token, the token and how
// to try the gateway by hand; and while no staff account exists, the setup link.
import type { AppConfig } from './config.js';

export interface StartFacts {
  readonly smtpPort: number;
  readonly httpPort: number;
  readonly submissionPort: number | null;
  readonly submissionTlsPort: number | null;
  readonly adminUrl: string;
  readonly generatedApiToken: string | null;
  readonly setupUrl: string | null;
  readonly setupExpiresAt: number | null;
}

/** Printed before the gateway starts, so a person's first line is not a log line. */
export function startingLine(config: AppConfig): string {
  return `maskgate: starting (data in ${config.dataDir}; the JSON lines are the log)\n`;
}

/** Where everything is, one thing a line; printed on every start. */
export function whereLines(config: AppConfig, s: StartFacts): string {
  const submission =
    s.submissionPort === null
      ? 'off (no TLS certificate: set tls.cert and tls.key, see README)'
      : `${config.submission.host}:${s.submissionPort} (STARTTLS, app passwords)` +
        (s.submissionTlsPort === null ? '' : `, ${config.submission.host}:${s.submissionTlsPort} (implicit TLS)`);
  return `
maskgate is running for ${config.domains.join(', ')}.

Admin:

  ${s.adminUrl}/

SMTP (MX):        ${config.smtp.host}:${s.smtpPort}
SMTP submission:  ${submission}
Outbound mail:    ${config.outbound.smarthost ? 'sent through the configured smarthost' : 'CAPTURED in the database (no smarthost configured)'}
Ports: MASKGATE_HTTP_PORT and MASKGATE_SMTP_PORT change them.
`;
}

export function firstStartHelp(config: AppConfig, s: StartFacts): string {
  const api = `${s.adminUrl}/api/v1`;
  const token = s.generatedApiToken ?? '';
  return `
Your API token (shown only this once; rotate with \`npx maskgate api-token rotate\`):

  ${token}

Try it (README, "Try it by hand", goes on from here):
  export MG_TOKEN=${token}
  curl -s -H "Authorization: Bearer $MG_TOKEN" -H 'content-type: application/json' \\
    -d '{"slug":"acme","name":"Acme Store","mailbox":"support@acme.example"}' ${api}/stores
  curl -s -H "Authorization: Bearer $MG_TOKEN" -H 'content-type: application/json' \\
    -d '{"storeId":1,"number":"A-1001","buyer":{"email":"jane@buyer.example","name":"Jane Doe"},"items":[{"sku":"K-1","name":"Kettle","category":"Kitchen","manufacturer":"Boil Co","unitPrice":19.99,"quantity":1}],"total":19.99,"currency":"EUR","placedAt":"2026-11-01T10:00:00Z","completedAt":null}' \\
    ${api}/orders
  # then send mail from jane@buyer.example to the returned alias on SMTP ${config.smtp.host}:${s.smtpPort}
  # and read ${config.outbound.smarthost ? 'the deliveries through the smarthost' : 'what would have been delivered'}:
  curl -s -H "Authorization: Bearer $MG_TOKEN" ${api}/outbox
${Object.keys(config.dns.static).length === 0 ? LAB_HINT : ''}`;
}

/**
 * Said when no DNS records are given (`dns.static` empty): the walkthrough's store, acme.example,
 * proves nothing, so a staff reply by SMTP gets `550 5.7.26`; a newcomer who followed the printed
 * lines learnt of the lab file only from the README.
 */
const LAB_HINT = `  # a staff reply by SMTP from support@acme.example is refused (550 5.7.26: the domain proves
  # nothing); in a lab, restart with MASKGATE_CONFIG=config/example.lab.json (its DNS records)
`;

/** The link that creates the owner, on a line of its own, with when it stops working. */
export function setupLines(s: StartFacts): string {
  if (!s.setupUrl) return '';
  const until = s.setupExpiresAt ? new Date(s.setupExpiresAt).toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : 'in 24 hours';
  return `
No staff account yet. Create the owner in the admin with this link (works once, until ${until}; a restart keeps it):

  ${s.setupUrl}

or from the command line: npx maskgate user add you@example.com --owner

`;
}
