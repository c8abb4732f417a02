import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('runs on the embedded defaults', () => {
    const c = loadConfig({ env: {} });
    expect(c.smtp).toMatchObject({ host: '127.0.0.1', port: 2525, reverseLookup: false });
    expect(c.http).toEqual({ host: '127.0.0.1', port: 8080, trustedProxies: [] });
    expect(c.domains).toEqual(['relay.localhost']);
    expect(c.outbound.smarthost).toBeNull();
    expect(c.dataDir.endsWith('/data')).toBe(true);
    expect(Object.isFrozen(c) && Object.isFrozen(c.smtp) && Object.isFrozen(c.domains)).toBe(true);
  });

  it('applies a config file, then the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-config-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ smtp: { port: 25 }, http: { port: 9000 } }));
    const c = loadConfig({
      env: {
        MASKGATE_CONFIG: file,
        MASKGATE_HTTP_PORT: '9100',
        MASKGATE_DATA_DIR: dir,
        MASKGATE_DOMAIN: 'Relay.Example.com, second.example',
        MASKGATE_SMTP_HOST: '0.0.0.0',
        MASKGATE_HTTP_HOST: '0.0.0.0',
        MASKGATE_API_TOKEN: 'x'.repeat(32),
        MASKGATE_SMARTHOST: 'smtp://user:pw@mail.example:587',
        MASKGATE_LOG_LEVEL: 'warn',
      },
    });
    expect(c.smtp.port).toBe(25);
    expect(c.http.port).toBe(9100);
    expect(c.dataDir).toBe(dir);
    expect(c.domains).toEqual(['relay.example.com', 'second.example']);
    expect(c.outbound.smarthost).toBe('smtp://user:pw@mail.example:587');
    expect(c.log.level).toBe('warn');
  });

  it.each([
    [{ MASKGATE_SMTP_PORT: 'abc' }, /MASKGATE_SMTP_PORT="abc" must be a whole number/],
    [{ MASKGATE_HTTP_PORT: '70000' }, /^invalid config: http\.port: .*MASKGATE_HTTP_PORT/],
    [{ MASKGATE_SMARTHOST: 'http://x' }, /^invalid config: outbound\.smarthost: must be an smtp:\/\/host:port/],
    [{ MASKGATE_API_TOKEN: 'short' }, /^invalid config: api\.token: must be at least 24 characters/],
    [{ MASKGATE_DOMAIN: 'not a domain' }, /^invalid config: domains\.0: must be a lowercase domain name/],
    [{ MASKGATE_LOG_LEVEL: 'loud' }, /^invalid config: log\.level/],
    [{ MASKGATE_CONFIG: '/nonexistent/x.json' }, /^cannot read config file \/nonexistent\/x\.json: there is no such file \(MASKGATE_CONFIG names it\)$/],
    [{ MASKGATE_TLS_CERT: '/etc/letsencrypt/live/x/fullchain.pem' }, /^invalid config: tls: tls\.cert and tls\.key are set together/],
  ])('stops with one line naming the key for %j', (env, message) => {
    expect(() => loadConfig({ env })).toThrow(ConfigError);
    expect(() => loadConfig({ env })).toThrow(message);
  });

  // Round 13: each was "config file … is not a JSON object: Unexpected token …", with a byte offset at best.
  it.each([
    ['a trailing comma', '{\n  "smtp": { "port": 25 },\n}\n', /is not valid JSON: line 3, column 1: a comma before } or ]; remove it/],
    ['a comment', '{\n  // the relay\n  "domains": ["relay.example.com"]\n}', /is not valid JSON: line 2, column 3: JSON has no comments; remove them/],
    ['single quotes', "{ 'domains': ['relay.example.com'] }", /is not valid JSON: line 1, column 3: keys and strings take double quotes/],
    ['a key without quotes', '{\n  "smtp": {\n    port: 25\n  }\n}', /is not valid JSON: line 3, column 5: keys and strings take double quotes/],
    ['a missing brace', '{\n  "smtp": { "port": 25 }\n', /is not valid JSON: line 3, column 1: it ends early \(a } or \] missing\?\)/],
    ['a missing colon', '{ "smtp" { "port": 25 } }', /is not valid JSON: line 1, column 10: ":" missing before "\{"/],
    ['two objects', '{ "smtp": { "port": 25 } }\n{ "http": { "port": 80 } }', /is not valid JSON: line 2, column 1: more after the end of the object/],
    ['YAML', '# maskgate\ndataDir: /var/lib/maskgate\nsmtp:\n  port: 25\n', /looks like YAML: maskgate reads JSON; write it as one JSON object/],
    ['an empty file', '\n  \n', /is empty: write one JSON object of settings/],
    ['an array', '[{ "smtp": { "port": 25 } }]', /is JSON but an array, not an object: write one JSON object of settings/],
  ])('says what is wrong with a config file that is not a JSON object: %s', (_, text, message) => {
    const file = join(mkdtempSync(join(tmpdir(), 'mg-config-')), 'c.json');
    writeFileSync(file, text);
    expect(() => loadConfig({ env: { MASKGATE_CONFIG: file } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { MASKGATE_CONFIG: file } })).toThrow(`config file ${file} `);
    expect(() => loadConfig({ env: { MASKGATE_CONFIG: file } })).toThrow(message);
  });

  // Round-14 attack: a mistake inside or right after a secret printed one of its characters
  // ("9" cannot stand here), and a Windows path's backslash was called a missing quote.
  it.each([
    ['a bad escape in a token', '{ "api": { "token": "s3cr3t-T0ken\\9abcdefghijklmnop" } }', /line 1, column 34: a backslash in a string starts an escape/],
    ['a Windows path', '{ "dataDir": "C:\\maskgate\\data" }', /line 1, column 17: a backslash in a string starts an escape .*write \\\\ for a backslash/],
    ['a colon missing before a value', '{ "api": { "token" 5ecretT0ken } }', /line 1, column 20: ":" missing here/],
    ['more after a number', '{ "api": { "token": 12-34 } }', /line 1, column 23: "}" missing here/],
  ])('never quotes a character of a value: %s', (_, text, message) => {
    const file = join(mkdtempSync(join(tmpdir(), 'mg-config-')), 'c.json');
    writeFileSync(file, text);
    expect(() => loadConfig({ env: { MASKGATE_CONFIG: file } })).toThrow(message);
    let said = '';
    try {
      loadConfig({ env: { MASKGATE_CONFIG: file } });
    } catch (err) {
      said = (err as Error).message.replace(file, '');
    }
    expect(said).not.toMatch(/"[0-9A-Za-z-]"/);
  });

  it('reads a config file saved with a byte-order mark (Notepad)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mg-config-')), 'c.json');
    writeFileSync(file, '\uFEFF{ "smtp": { "port": 25 } }');
    expect(loadConfig({ env: { MASKGATE_CONFIG: file } }).smtp.port).toBe(25);
  });

  it('refuses unknown keys in a config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-config-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ smtp: { prot: 25 } }));
    expect(() => loadConfig({ env: { MASKGATE_CONFIG: file } })).toThrow(/invalid config: smtp: Unrecognized key/);
  });

  it('takes static DNS records by name and type, and refuses unknown types', () => {
    const ok = loadConfig({ env: {}, overrides: { dns: { static: { 'shop.example': { TXT: ['v=spf1 -all'], MX: ['10 mx.shop.example'] } } } } });
    expect(ok.dns.static['shop.example']?.TXT).toEqual(['v=spf1 -all']);
    expect(() => loadConfig({ env: {}, overrides: { dns: { static: { 'shop.example': { SRV: ['x'] } } } } })).toThrow(
      /invalid config: dns\.static\.shop\.example/,
    );
  });

  it('takes trusted proxies as addresses, ranges or loopback, and refuses anything else', () => {
    const ok = loadConfig({ env: { MASKGATE_TRUSTED_PROXIES: '10.0.0.0/8,loopback,2001:db8::1' } });
    expect(ok.http.trustedProxies).toEqual(['10.0.0.0/8', 'loopback', '2001:db8::1']);
    expect(() => loadConfig({ env: {}, overrides: { http: { trustedProxies: ['proxy.example'] } } })).toThrow(/invalid config: http\.trustedProxies/);
  });
});
