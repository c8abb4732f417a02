// Round-14 last attack rows for the seller → buyer filter's "named as a program" rule: a text file
// whose name holds a NUL before its last extension (`order.hta\0.txt`: a program that hands the
// name to the system's C calls saves `order.hta`), and text files Windows follows rather than
// shows that the list missed: a Remote Desktop connection (`.rdp`: opens a session to the server it
// names, with the buyer's drives), an App Installer file (`.appinstaller`: installs a package from
// the link it holds), a theme (`.theme`: fetches the wallpaper it names, signing in to that server).
import type { SendMailOptions } from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { sendAs } from '../helpers/nodemailer-send.js';

let h: Harness;
let pair: Awaited<ReturnType<typeof seedPair>>;
afterEach(async () => {
  await h.close();
});

async function send(mail: SendMailOptions) {
  h = await startHarness({ filters: { linkAllowList: [], linkAction: 'redact', stripImages: false, maxAttachmentBytes: 10485760 } });
  pair = await seedPair(h);
  return sendAs(h, 'support@acme.example', pair.address, { subject: `Order ${pair.number}`, text: 'see the file', ...mail });
}

describe('seller → buyer: text named as a program (round-14 last attack)', () => {
  it.each(['order.hta\u0000.txt', 'connect.rdp', 'setup.appinstaller', 'office.theme'])('refuses %j', async (filename) => {
    const r = await send({ attachments: [{ filename, contentType: 'text/plain', content: 'full address:s:rdp.acme.example\r\n' }] });
    expect(r.code).toBe(550);
    expect(r.response).toMatch(/file type not allowed/);
  });

  it('keeps a text file whose name only looks alike (notes.rdp.txt, theme.txt)', async () => {
    const r = await send({
      attachments: [
        { filename: 'notes.rdp.txt', contentType: 'text/plain', content: 'see you\r\n' },
        { filename: 'theme.txt', contentType: 'text/plain', content: 'see you\r\n' },
      ],
    });
    expect(r.ok).toBe(true);
  });
});
