// The Office-package side of the picture attack tests (attack17-office-pictures, attack18-pictures):
// a docx that shows one picture, and where a delivered attachment (or a member of it) still holds a
// text.
import { strToU8, unzipSync, zipSync } from 'fflate';

/** A docx whose word/media/`name` is `picture`, its type declared by `name`'s extension (`image1.tiff`: image/tiff). */
export function docxWithPicture(name: string, picture: Buffer): Buffer {
  return Buffer.from(
    zipSync({
      '[Content_Types].xml': strToU8(
        `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="${name.split('.').pop()}" ContentType="image/${name.split('.').pop()}"/></Types>`,
      ),
      'word/document.xml': strToU8('<?xml version="1.0"?><w:document><w:body><w:p><w:r><w:t>Photo of the damage</w:t></w:r></w:p></w:body></w:document>'),
      [`word/media/${name}`]: picture,
    }),
  );
}

/** The attachments' names (each zip's members as `name:member`) whose bytes, read as Latin-1 and lowercased, hold `text`. */
export function holding(atts: readonly { filename?: string; content: Buffer }[], text: string): string[] {
  return atts.flatMap((a) => {
    let members: Record<string, Uint8Array>;
    try {
      members = unzipSync(new Uint8Array(a.content));
    } catch {
      members = { whole: a.content };
    }
    return Object.entries(members)
      .filter(([, m]) => Buffer.from(m).toString('latin1').toLowerCase().includes(text))
      .map(([n]) => `${a.filename}:${n}`);
  });
}
