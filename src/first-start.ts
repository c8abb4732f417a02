// Owns the text printed once, on the start that generated the API token: the token and how to try
// the gateway by hand.
import type { AppConfig } from './config.js';

export function firstStartHelp(config: AppConfig, ports: { smtpPort: number; httpPort: number; generatedApiToken: string | null }): string {
  const api = `http://${config.http.host}:${ports.httpPort}/api/v1`;
  const token = ports.generatedApiToken ?? '';
  return `
maskgate is running for ${config.domains.join(', ')} (data in ${config.dataDir}).
Outbound mail is ${config.outbound.smarthost ? 'sent through the configured smarthost' : 'CAPTURED in the database (no smarthost configured)'}.

Your API token (shown only this once; rotate with \`npx maskgate api-token rotate\`):

  ${token}

Try it:
  export MG_TOKEN=${token}
  curl -s -H "Authorization: Bearer $MG_TOKEN" -H 'content-type: application/json' \\
    -d '{"slug":"acme","name":"Acme Store","mailbox":"support@acme.example"}' ${api}/stores
  curl -s -H "Authorization: Bearer $MG_TOKEN" -H 'content-type: application/json' \\
    -d '{"storeId":1,"number":"A-1001","buyer":{"email":"jane@buyer.example","name":"Jane Doe"},"items":[],"total":19.99,"currency":"EUR","placedAt":"2026-01-05T10:00:00Z"}' \\
    ${api}/orders
  # then send mail from jane@buyer.example to the returned alias on SMTP ${config.smtp.host}:${ports.smtpPort}
  # and read what would have been delivered:
  curl -s -H "Authorization: Bearer $MG_TOKEN" ${api}/outbox

`;
}
