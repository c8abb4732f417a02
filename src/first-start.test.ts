// What a start prints for people: every listening port on a line, and no promise the config breaks.
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { firstStartHelp, whereLines, type StartFacts } from './first-start.js';

const facts = (o: Partial<StartFacts> = {}): StartFacts => ({
  smtpPort: 2525,
  httpPort: 8080,
  submissionPort: null,
  submissionTlsPort: null,
  adminUrl: 'http://127.0.0.1:8080',
  generatedApiToken: 'mg_token',
  setupUrl: null,
  setupExpiresAt: null,
  ...o,
});

describe('whereLines', () => {
  it('names the implicit-TLS submission port when one listens', () => {
    const config = loadConfig({ env: {}, overrides: {} });
    expect(whereLines(config, facts({ submissionPort: 2587, submissionTlsPort: 2465 }))).toContain(
      'SMTP submission:  127.0.0.1:2587 (STARTTLS, app passwords), 127.0.0.1:2465 (implicit TLS)\n',
    );
    expect(whereLines(config, facts({ submissionPort: 2587 }))).toContain('SMTP submission:  127.0.0.1:2587 (STARTTLS, app passwords)\n');
  });
});

describe('firstStartHelp', () => {
  it('says the outbox holds captured mail only when no smarthost is configured', () => {
    const captured = loadConfig({ env: {}, overrides: {} });
    expect(firstStartHelp(captured, facts())).toContain('read what would have been delivered');
    const relayed = loadConfig({ env: {}, overrides: { outbound: { smarthost: 'smtp://127.0.0.1:2600' } } });
    const help = firstStartHelp(relayed, facts());
    expect(help).not.toContain('would have been delivered');
    expect(help).toContain('the deliveries through the smarthost');
  });

  it('names the lab file for staff replies by SMTP when no DNS records are given, and not when they are', () => {
    expect(firstStartHelp(loadConfig({ env: {}, overrides: {} }), facts())).toContain('MASKGATE_CONFIG=config/example.lab.json');
    const lab = loadConfig({ env: {}, overrides: { dns: { static: { 'acme.example': { TXT: ['v=spf1 ip4:127.0.0.1 -all'] } } } } });
    expect(firstStartHelp(lab, facts())).not.toContain('example.lab.json');
  });
});
