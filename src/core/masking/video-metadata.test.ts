import { describe, expect, it } from 'vitest';
import { isIsoMedia, NotAVideo, stripVideoMetadata } from './video-metadata.js';
import { iccProfile, pictureFile } from '../../../test/fixtures/pictures.js';
import { box, full } from '../../../test/fixtures/iso-boxes.js';

const ADDRESS = 'anna.private@othermail.example';
const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');

const u32 = (...n: number[]) => {
  const out = Buffer.alloc(4 * n.length);
  n.forEach((v, i) => out.writeUInt32BE(v, 4 * i));
  return out;
};

/**
 * A file of one track (a `vide` handler unless `handler`): `ftyp`, `moov` holding the given boxes
 * in its `stbl` (a sample description of `entries` when none is given), then `mdat` of `media`.
 */
function oneTrack(
  stbl: Buffer[],
  { ftyp = box('ftyp', Buffer.from('isom\0\0\0\0')), handler = 'vide', media = Buffer.alloc(0), trak = [] as Buffer[], moov = [] as Buffer[] } = {},
) {
  const hdlr = full('hdlr', Buffer.concat([Buffer.alloc(4), Buffer.from(handler), Buffer.alloc(12)]));
  const movie = box('moov', ...moov, box('trak', ...trak, box('mdia', hdlr, box('minf', box('stbl', ...stbl)))));
  return Buffer.concat([ftyp, movie, box('mdat', media)]);
}

/** The types of the boxes between `from` and `to`, and of those inside `moov`/`trak` (one level each, as a path). */
function tree(b: Buffer, from = 0, to = b.length, path = ''): string[] {
  const out: string[] = [];
  for (let at = from; at + 8 <= to; at += b.readUInt32BE(at)) {
    const type = b.toString('latin1', at + 4, at + 8);
    out.push(path + type);
    if (type === 'moov' || type === 'trak') out.push(...tree(b, at + 8, at + b.readUInt32BE(at), `${path}${type}/`));
  }
  return out;
}

describe('videos and sound in an ISO BMFF file (MP4, MOV, M4A) lose their metadata in place (round-19)', () => {
  it('reads an MP4, a MOV and an M4A as one, not a HEIC picture or a PNG', () => {
    for (const f of ['video-tagged.mp4', 'video-subtitled.mov', 'audio-tagged.m4a']) expect(isIsoMedia(pictureFile(f)), f).toBe(true);
    const heic = Buffer.concat([box('ftyp', Buffer.from('heic\0\0\0\0mif1heic')), box('meta')]);
    expect(isIsoMedia(heic)).toBe(false);
    expect(isIsoMedia(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'))).toBe(false);
  });

  it('frees the title, comment, artist and location (udta, meta/keys/ilst, loci), blanks handler and compressor names; every other box stays where it was', () => {
    const v = pictureFile('video-tagged.mp4');
    const r = stripVideoMetadata(new Uint8Array(v));
    const b = Buffer.from(r.bytes);
    expect(b.length).toBe(v.length);
    expect(latin1(b)).not.toContain(ADDRESS);
    expect(latin1(b)).not.toContain('48.8577');
    expect(latin1(b)).not.toMatch(/VideoHandler|SoundHandler|libx264/);
    expect(tree(b)).toEqual(tree(v).map((t) => (t === 'moov/udta' ? 'moov/free' : t)));
    // The video's own samples (x264 writes its settings into the stream) are kept, as a picture's pixels.
    expect(latin1(b)).toContain('x264 - core');
    expect(r.removed).toBeGreaterThan(0);
  });

  it('removes a subtitle track (its text in the media data too) and QuickTime ©-atoms from a MOV, keeping its video and sound', () => {
    const v = pictureFile('video-subtitled.mov');
    expect(latin1(v)).toContain(`Call ${ADDRESS}`);
    const b = Buffer.from(stripVideoMetadata(new Uint8Array(v)).bytes);
    expect(latin1(b)).not.toContain(ADDRESS.slice(0, 12));
    expect(tree(b).filter((t) => t.startsWith('moov/') && !t.startsWith('moov/trak/'))).toEqual([
      'moov/mvhd',
      'moov/trak',
      'moov/trak',
      'moov/free',
      'moov/free',
    ]);
  });

  it('frees XMP in a uuid box, a meta box and free space at the top level of an M4A', () => {
    const v = pictureFile('audio-tagged.m4a');
    const xmp = box('uuid', Buffer.from('be7acfcb97a942e89c71999491e3afac', 'hex'), Buffer.from(`<x:xmpmeta>${ADDRESS}</x:xmpmeta>`));
    const withXmp = Buffer.concat([v, xmp, box('meta', Buffer.from(ADDRESS)), box('skip', Buffer.from(ADDRESS))]);
    const b = Buffer.from(stripVideoMetadata(new Uint8Array(withXmp)).bytes);
    expect(latin1(b)).not.toContain(ADDRESS.slice(0, 12));
    expect(tree(b).slice(-3)).toEqual(['free', 'free', 'free']);
  });

  it('zeroes media data no kept sample takes (a text file hidden in mdat between samples)', () => {
    const v = pictureFile('video-tagged.mp4');
    // The free box before mdat joined to it: mdat said to start 8 bytes earlier, the free box's header holding the address' first bytes.
    const w = Buffer.from(v);
    const mdat = w.indexOf('mdat') - 4;
    w.writeUInt32BE(w.readUInt32BE(mdat) + 8, mdat - 8);
    w.write('mdat', mdat - 4, 'latin1');
    w.write(ADDRESS.slice(0, 8), mdat, 'latin1');
    const b = Buffer.from(stripVideoMetadata(new Uint8Array(w)).bytes);
    expect(b.subarray(mdat, mdat + 8)).toEqual(Buffer.alloc(8));
  });

  it('refuses a box past its parent, a fragmented file, one without a movie', () => {
    const v = pictureFile('video-tagged.mp4');
    expect(() => stripVideoMetadata(new Uint8Array(v.subarray(0, v.length - 10)))).toThrow(NotAVideo);
    expect(() => stripVideoMetadata(new Uint8Array(Buffer.concat([v, box('moof', box('mfhd', Buffer.alloc(8)))])))).toThrow(NotAVideo);
    expect(() => stripVideoMetadata(new Uint8Array(Buffer.concat([box('ftyp', Buffer.from('isom\0\0\0\0')), box('mdat', Buffer.from(ADDRESS))])))).toThrow(
      NotAVideo,
    );
  });

  it("blanks the text of an ICC profile in a sample entry's colour box (colr prof), keeps colour numbers (nclx), frees another kind", () => {
    const full = (type: string, body: Buffer) => box(type, Buffer.alloc(4), body);
    const hdlr = full('hdlr', Buffer.concat([Buffer.alloc(4), Buffer.from('vide'), Buffer.alloc(12)]));
    const nclx = box('colr', Buffer.from('nclx'), Buffer.from('0001000100010080', 'hex'));
    const prof = box('colr', Buffer.from('prof'), iccProfile(`Profile by ${ADDRESS}`, `(c) ${ADDRESS}`));
    const odd = box('colr', Buffer.from('zzzz'), Buffer.from(ADDRESS));
    const entry = box('avc1', Buffer.alloc(78), nclx, prof, odd);
    const count1 = Buffer.alloc(4);
    count1.writeUInt32BE(1);
    const stbl = box(
      'stbl',
      full('stsd', Buffer.concat([count1, entry])),
      full('stsc', Buffer.alloc(4)),
      full('stsz', Buffer.alloc(8)),
      full('stco', Buffer.alloc(4)),
    );
    const file = Buffer.concat([box('ftyp', Buffer.from('isom\0\0\0\0')), box('moov', box('trak', box('mdia', hdlr, box('minf', stbl))))]);
    const b = Buffer.from(stripVideoMetadata(new Uint8Array(file)).bytes);
    expect(b.length).toBe(file.length);
    expect(latin1(b)).not.toContain(ADDRESS);
    expect(latin1(b)).not.toContain(ADDRESS.slice(0, 12));
    expect(latin1(b)).toContain('nclx');
    expect(latin1(b)).toContain('prof');
    expect(latin1(b)).toContain('acsp');
  });

  it('counts one sample size for all (stsz with a size) per chunk at once: 2^32 - 1 samples in one chunk do not hang the walk', () => {
    const full = (type: string, body: Buffer) => box(type, Buffer.alloc(4), body);
    const hdlr = full('hdlr', Buffer.concat([Buffer.alloc(4), Buffer.from('vide'), Buffer.alloc(12)]));
    const stsz = Buffer.alloc(8);
    stsz.writeUInt32BE(1, 0);
    stsz.writeUInt32BE(0xffffffff, 4);
    const stsc = Buffer.alloc(16);
    stsc.writeUInt32BE(1);
    stsc.writeUInt32BE(1, 4);
    stsc.writeUInt32BE(0xffffffff, 8);
    stsc.writeUInt32BE(1, 12);
    const stco = Buffer.alloc(8);
    stco.writeUInt32BE(1);
    const stbl = box('stbl', full('stsd', Buffer.alloc(4)), full('stsc', stsc), full('stsz', stsz), full('stco', stco));
    const file = Buffer.concat([
      box('ftyp', Buffer.from('isom\0\0\0\0')),
      box('moov', box('trak', box('mdia', hdlr, box('minf', stbl)))),
      box('mdat', Buffer.from('abc')),
    ]);
    expect(stripVideoMetadata(new Uint8Array(file)).bytes.length).toBe(file.length);
  });

  it('walks hostile sample tables in linear time: 500 000 chunks of one sample each, over 250 000 media data boxes', () => {
    const n = 500_000;
    const full = (type: string, body: Buffer) => box(type, Buffer.alloc(4), body);
    const head = box('ftyp', Buffer.from('isom\0\0\0\0')).length;
    // moov, trak, mdia, minf, stbl headers; hdlr; stsd; stsc; stsz; stco.
    const moovSize = 5 * 8 + 32 + 16 + 28 + (20 + 4 * n) + (16 + 4 * n);
    // Media data boxes of 16 bytes (8 of data) after the movie; chunk k at the data of box k/2, one byte each.
    const mdatAt = head + moovSize;
    const stco = Buffer.alloc(4 + 4 * n);
    stco.writeUInt32BE(n);
    for (let k = 0; k < n; k++) stco.writeUInt32BE(mdatAt + 16 * (k >> 1) + 8 + 4 * (k & 1), 4 + 4 * k);
    const stsz = Buffer.alloc(8 + 4 * n);
    stsz.writeUInt32BE(n, 4);
    for (let k = 0; k < n; k++) stsz.writeUInt32BE(1, 8 + 4 * k);
    const stsc = Buffer.alloc(16);
    stsc.writeUInt32BE(1);
    stsc.writeUInt32BE(1, 4);
    stsc.writeUInt32BE(1, 8);
    stsc.writeUInt32BE(1, 12);
    const stbl = box('stbl', full('stsd', Buffer.alloc(4)), full('stsc', stsc), full('stsz', stsz), full('stco', stco));
    const hdlr = full('hdlr', Buffer.concat([Buffer.alloc(4), Buffer.from('vide'), Buffer.alloc(12)]));
    const moov = box('moov', box('trak', box('mdia', hdlr, box('minf', stbl))));
    expect(moov.length).toBe(moovSize);
    const mdats = Buffer.alloc(16 * (n / 2), 0x61);
    for (let at = 0; at < mdats.length; at += 16) mdats.write('\0\0\0\x10mdat', at, 'latin1');
    const file = Buffer.concat([box('ftyp', Buffer.from('isom\0\0\0\0')), moov, mdats]);
    const b = Buffer.from(stripVideoMetadata(new Uint8Array(file)).bytes);
    // Each box's 8 data bytes: the two samples' bytes kept, the six others zero.
    expect(b.subarray(mdatAt + 8, mdatAt + 16)).toEqual(Buffer.from([0x61, 0, 0, 0, 0x61, 0, 0, 0]));
    expect(b.subarray(-8)).toEqual(Buffer.from([0x61, 0, 0, 0, 0x61, 0, 0, 0]));
  });

  it('keeps the brands a player reads in ftyp and no others: a thousand made-up brands spelling an address become free space', () => {
    const spelled = Buffer.from(`${ADDRESS} `.repeat(130).slice(0, 4000));
    const ftyp = box('ftyp', Buffer.from('isom'), u32(0x200), Buffer.from('isomiso2avc1mp41'), spelled);
    const file = oneTrack([], { ftyp });
    const b = Buffer.from(stripVideoMetadata(new Uint8Array(file)).bytes);
    expect(b.length).toBe(file.length);
    expect(latin1(b)).not.toContain(ADDRESS.slice(0, 4));
    expect(b.subarray(0, 32)).toEqual(box('ftyp', Buffer.from('isom'), u32(0x200), Buffer.from('isomiso2avc1mp41')));
    expect(tree(b).slice(0, 3)).toEqual(['ftyp', 'free', 'moov']);
    // A made-up major brand is read as the plain ISO one; one brand too many for a free box of its own is zeroed in place.
    const odd = Buffer.from(
      stripVideoMetadata(new Uint8Array(oneTrack([], { ftyp: box('ftyp', Buffer.from('anna'), u32(0), Buffer.from('mp42ANNA')) }))).bytes,
    );
    expect(odd.subarray(0, 24)).toEqual(box('ftyp', Buffer.from('isom'), u32(0), Buffer.from('mp42'), Buffer.alloc(4)));
    // The test files' brands are all kept.
    for (const f of ['video-tagged.mp4', 'video-subtitled.mov', 'audio-tagged.m4a']) {
      const v = pictureFile(f);
      const size = v.readUInt32BE(0);
      expect(Buffer.from(stripVideoMetadata(new Uint8Array(v)).bytes).subarray(0, size), f).toEqual(v.subarray(0, size));
    }
  });

  it('frees data references past their count and reads a made-up reference kind as url (a type is 4 bytes of text)', () => {
    const dref = full('dref', Buffer.concat([u32(2), full('anna', Buffer.alloc(0)), full('url ', Buffer.from(ADDRESS)), full('priv', Buffer.alloc(0))]));
    const hdlr = full('hdlr', Buffer.concat([Buffer.alloc(4), Buffer.from('vide'), Buffer.alloc(12)]));
    const moov = box('moov', box('trak', box('mdia', hdlr, box('minf', box('dinf', dref), box('stbl')))));
    const b = Buffer.from(stripVideoMetadata(new Uint8Array(Buffer.concat([box('ftyp', Buffer.from('isom\0\0\0\0')), moov]))).bytes);
    expect(latin1(b)).not.toMatch(/anna|priv|\.private/);
    expect(latin1(b).match(/url /g)).toHaveLength(2);
  });

  it('zeroes what follows the entries a table declares (slack) and the reserved fields of a header box: text after them no longer crosses', () => {
    const text = Buffer.from(ADDRESS);
    const tables = [
      full('stts', Buffer.concat([u32(1, 1, 512), text])),
      full('ctts', Buffer.concat([u32(1, 1, 0), text])),
      full('stss', Buffer.concat([u32(1, 1), text])),
      full('stps', Buffer.concat([u32(1, 1), text])),
      full('stsc', Buffer.concat([u32(1, 1, 1, 1), text])),
      full('stsz', Buffer.concat([u32(3, 1), text])),
      full('stco', Buffer.concat([u32(1, 0), text])),
      full('sdtp', Buffer.concat([Buffer.from([0x20]), text])),
      full('sgpd', Buffer.concat([Buffer.from('roll'), u32(2, 1), Buffer.from([0xff, 0xff]), text]), 1),
      full('sbgp', Buffer.concat([Buffer.from('roll'), u32(1, 1, 1), text])),
      // A sample group whose entries' length this reader does not know: freed.
      full('sgpd', Buffer.concat([Buffer.from('zzzz'), u32(1), text])),
    ];
    const elst = box('edts', full('elst', Buffer.concat([u32(1, 400, 0, 0x10000), text])));
    // The matrix's u, v and w (its bytes 8, 20, 32) hold text too: they are 0, 0 and 1 in any movie.
    const matrix = Buffer.concat([u32(0x10000, 0), text.subarray(0, 4), u32(0, 0x10000), text.subarray(4, 8), u32(0, 0), text.subarray(8, 12)]);
    const mvhd = full(
      'mvhd',
      Buffer.concat([u32(0, 0, 1000, 400, 0x10000), Buffer.from([1, 0]), text.subarray(0, 10), matrix, text.subarray(0, 24), u32(2), text]),
    );
    const tkhd = full(
      'tkhd',
      Buffer.concat([u32(0, 0, 1), text.subarray(0, 4), u32(400), text.subarray(0, 8), Buffer.alloc(6), text.subarray(0, 2), Buffer.alloc(44), text]),
    );
    const file = oneTrack(tables, { trak: [tkhd, elst], moov: [mvhd], media: Buffer.from('abc') });
    const b = Buffer.from(stripVideoMetadata(new Uint8Array(file)).bytes);
    expect(b.length).toBe(file.length);
    expect(latin1(b)).not.toContain(ADDRESS.slice(0, 2));
    const at = (type: string) => b.indexOf(type) + 4;
    expect(b.subarray(at('stts'), at('stts') + 16)).toEqual(Buffer.concat([Buffer.alloc(4), u32(1, 1, 512)]));
    expect(b.subarray(at('stsz'), at('stsz') + 12)).toEqual(Buffer.concat([Buffer.alloc(4), u32(3, 1)]));
    expect(b.subarray(at('sgpd'), at('sgpd') + 18)).toEqual(
      Buffer.concat([Buffer.from([1, 0, 0, 0]), Buffer.from('roll'), u32(2, 1), Buffer.from([0xff, 0xff])]),
    );
    expect(b.subarray(at('mvhd') + 96, at('mvhd') + 100)).toEqual(u32(2));
    expect(b.subarray(at('mvhd') + 36, at('mvhd') + 72)).toEqual(u32(0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000));
    expect(latin1(b).match(/free/g)).toHaveLength(1);
  });

  it("cuts a sample description's decoder configuration to what its decoder reads: parameter sets, ES descriptors and STREAMINFO kept, text after or between them zeroed", () => {
    const text = Buffer.from(ADDRESS);
    const nal = (bytes: Buffer) => Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 255]), bytes]);
    const sps = Buffer.from('6742c01e', 'hex');
    const pps = Buffer.from('68ce3c80', 'hex');
    // An SEI (NAL type 6) of user data in the sequence parameter sets' list, and text after the lists.
    const avcC = box(
      'avcC',
      Buffer.from([1, 0x42, 0xc0, 0x1e, 0xff, 0xe2]),
      nal(sps),
      nal(Buffer.concat([Buffer.from([6, 5]), text])),
      Buffer.from([1]),
      nal(pps),
      text,
    );
    // An HEVC configuration with an SEI array (type 39) between its SPS and PPS arrays.
    const array = (type: number, unit: Buffer) => Buffer.concat([Buffer.from([0x80 | type, 0, 1]), nal(unit)]);
    const vps = Buffer.from('40010c01', 'hex');
    // HEVC units begin with their type times 2: an SPS 0x42, a PPS 0x44.
    const [hsps, hpps] = [Buffer.from('42010101', 'hex'), Buffer.from('4401c172', 'hex')];
    const hvcC = box(
      'hvcC',
      Buffer.alloc(22, 1),
      Buffer.from([4]),
      array(32, vps),
      array(39, Buffer.concat([Buffer.from([0x4e, 1]), text])),
      array(33, hsps),
      array(34, hpps),
      text,
    );
    const visual = Buffer.alloc(78);
    visual.write(ADDRESS.slice(0, 12), 12, 'latin1');
    // A High-profile one (100) whose text after its sets is not the chroma and depth fields it may hold there.
    const high = box('avcC', Buffer.from([1, 100, 0, 0x1e, 0xff, 0xe1]), nal(sps), Buffer.from([1]), nal(pps), text);
    const entry = box('avc1', visual, avcC, hvcC, high, box('pasp', u32(1, 1), text), box('zzzz', text));
    // An AAC ES descriptor: its DecoderSpecificInfo, then a registration descriptor (0x0d) of text, an SL descriptor, and text after the ES descriptor.
    const dsi = Buffer.from('05021210', 'hex');
    const dcd = Buffer.concat([Buffer.from([4, 13 + dsi.length, 0x40, 0x15]), Buffer.alloc(11), dsi]);
    const registration = Buffer.concat([Buffer.from([0x0d, text.length]), text]);
    const sl = Buffer.from('060102', 'hex');
    const esBody = Buffer.concat([Buffer.from([0, 1, 0]), dcd, registration, sl]);
    const esds = full('esds', Buffer.concat([Buffer.from([3, esBody.length]), esBody, text]));
    const sound = Buffer.alloc(28);
    sound.write('anna', 12, 'latin1');
    const streaminfo = Buffer.concat([Buffer.from([0, 0, 0, 34]), Buffer.alloc(34, 7)]);
    const comment = Buffer.concat([Buffer.from([0x84, 0, 0, text.length]), text]);
    const dfLa = full('dfLa', Buffer.concat([streaminfo, comment]));
    const mp4a = box('mp4a', sound, esds, dfLa);
    const stsd = (...entries: Buffer[]) => full('stsd', Buffer.concat([u32(1), ...entries]));
    const video = Buffer.from(stripVideoMetadata(new Uint8Array(oneTrack([stsd(entry, box('avc1', Buffer.alloc(78), text))]))).bytes);
    const audio = Buffer.from(stripVideoMetadata(new Uint8Array(oneTrack([stsd(mp4a, box('mp4a', Buffer.alloc(28), text))], { handler: 'soun' }))).bytes);
    for (const b of [video, audio]) {
      expect(latin1(b)).not.toContain(ADDRESS.slice(0, 2));
      expect(latin1(b)).not.toContain('anna');
    }
    expect(video.indexOf(Buffer.concat([Buffer.from([1, 0x42, 0xc0, 0x1e, 0xff, 0xe2]), nal(sps)]))).toBeGreaterThan(0);
    expect(video.indexOf(Buffer.concat([Buffer.from([1]), nal(pps)]))).toBeGreaterThan(0);
    const hevc = video.subarray(video.indexOf('hvcC') + 4);
    expect(hevc.subarray(22, 22 + 1 + 3 * 9)).toEqual(Buffer.concat([Buffer.from([3]), array(32, vps), array(33, hsps), array(34, hpps)]));
    expect(latin1(video).match(/free/g)).toHaveLength(2);
    // The ES descriptor's lengths now end after the SL descriptor; the DecoderSpecificInfo is whole.
    const kept = Buffer.concat([Buffer.from([0, 1, 0]), dcd, sl]);
    expect(audio.indexOf(Buffer.concat([Buffer.from([3, kept.length]), kept]))).toBeGreaterThan(0);
    expect(audio.indexOf(Buffer.concat([Buffer.from([0x80, 0, 0, 34]), Buffer.alloc(34, 7)]))).toBeGreaterThan(0);
    // The test files' configurations are what their decoders read, and stay as they were.
    for (const f of ['video-tagged.mp4', 'video-subtitled.mov', 'audio-tagged.m4a']) {
      const v = pictureFile(f);
      const b = Buffer.from(stripVideoMetadata(new Uint8Array(v)).bytes);
      for (const type of ['avcC', 'esds', 'pasp', 'btrt', 'chan', 'frma']) {
        const at = v.indexOf(type) - 4;
        if (at > 0) expect(b.subarray(at, at + v.readUInt32BE(at)), `${f} ${type}`).toEqual(v.subarray(at, at + v.readUInt32BE(at)));
      }
    }
  });

  it('keeps a sample only inside the media data box it starts in: one declared past its end keeps no text in the next box, and overlapping declarations are joined, not walked', () => {
    // Two media data boxes after the movie: a sample of 4 bytes at the first's start declared 40 bytes long, text in the second.
    const withChunks = (chunks: number, offset: number, { size = 40, samples = chunks, perChunk = 1 } = {}) =>
      oneTrack([
        full('stsd', u32(0)),
        full('stsc', u32(1, 1, perChunk, 1)),
        full('stsz', u32(size, samples)),
        full('stco', u32(chunks, ...Array<number>(chunks).fill(offset))),
      ]).subarray(0, -8);
    const mdatAt = withChunks(1, 0).length + 8;
    const file = Buffer.concat([withChunks(1, mdatAt), box('mdat', Buffer.from('abcd')), box('mdat', Buffer.from(ADDRESS))]);
    const b = Buffer.from(stripVideoMetadata(new Uint8Array(file)).bytes);
    expect(b.subarray(mdatAt, mdatAt + 4).toString()).toBe('abcd');
    expect(latin1(b)).not.toContain(ADDRESS.slice(0, 2));
    // 100 000 chunks at one offset, each of 100 000 samples of 2^32 - 1 bytes: 10^10 samples and 4 * 10^19 bytes declared, kept as one range.
    const hostile = { size: 0xffffffff, samples: 0xffffffff, perChunk: 100_000 };
    const at = withChunks(100_000, 0, hostile).length + 8;
    const h = Buffer.from(stripVideoMetadata(new Uint8Array(Buffer.concat([withChunks(100_000, at, hostile), box('mdat', Buffer.from('abcd'))]))).bytes);
    expect(h.subarray(at, at + 4).toString()).toBe('abcd');
  });

  it("zeroes MPEG-4 Part 2 user data (start code 0x1B2: an encoder's name, any text) in an esds decoder-specific info and a glbl box, keeping the headers around it", () => {
    const text = Buffer.from(ADDRESS);
    const vos = Buffer.concat([Buffer.from('000001b0f5000001b5', 'hex'), Buffer.from('0900000100000001200086c4', 'hex')]);
    const userData = Buffer.concat([Buffer.from('000001b2', 'hex'), Buffer.from('XviD0050 '), text]);
    const vol = Buffer.from('0000012000c48d8800cd0a041e1463000001b2', 'hex');
    const header = Buffer.concat([vos, userData, vol, text]);
    // A descriptor with a two-byte length (ISO/IEC 14496-1 §8.3.3).
    const descriptor = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([tag, 0x80 | (body.length >> 7), body.length & 0x7f]), body]);
    const dcd = descriptor(4, Buffer.concat([Buffer.from([0x20, 0x11]), Buffer.alloc(11), descriptor(5, header)]));
    const esds = full('esds', descriptor(3, Buffer.concat([Buffer.from([0, 1, 0]), dcd, Buffer.from('060102', 'hex')])));
    const entry = box('mp4v', Buffer.alloc(78), esds, box('glbl', header));
    const b = Buffer.from(stripVideoMetadata(new Uint8Array(oneTrack([full('stsd', Buffer.concat([u32(1), entry]))]))).bytes);
    expect(latin1(b)).not.toContain(ADDRESS.slice(0, 4));
    expect(latin1(b)).not.toContain('XviD');
    const cleaned = Buffer.concat([vos, Buffer.from('000001b2', 'hex'), Buffer.alloc(9 + text.length), vol, Buffer.alloc(text.length)]);
    expect(b.indexOf(cleaned)).toBeGreaterThan(0);
    expect(b.indexOf(cleaned, b.indexOf(cleaned) + 1)).toBeGreaterThan(0);
  });
});

describe('what a kept box still carried (round-20 attack)', () => {
  const text = Buffer.from(ADDRESS);
  const clean = (file: Buffer) => latin1(Buffer.from(stripVideoMetadata(new Uint8Array(file)).bytes));

  it('frees a sample group (sgpd version 1) of a grouping type not known here, whose entries of a declared length held text', () => {
    const fixed = full('sgpd', Buffer.concat([Buffer.from('anna'), u32(text.length, 1), text]), 1);
    const own = full('sgpd', Buffer.concat([Buffer.from('zzzz'), u32(0, 1, text.length), text]), 1);
    const b = clean(oneTrack([fixed, own]));
    expect(b).not.toContain(ADDRESS.slice(0, 4));
    expect(b.match(/free/g)).toHaveLength(2);
  });

  it("zeroes a VP9 configuration's codec initialization data (vpcC: empty for VP8 and VP9) and a Dolby Vision configuration's reserved bytes (dvcC)", () => {
    const vpcC = full('vpcC', Buffer.concat([Buffer.from([0, 10, 0x80, 1, 1, 1, 0, text.length]), text]), 1);
    const dvcC = box('dvcC', Buffer.from([1, 0, 0x10, 0x35, 0x10]), text.subarray(0, 19));
    const entry = (type: string, ...inside: Buffer[]) => box(type, Buffer.alloc(78), ...inside);
    const b = clean(oneTrack([full('stsd', Buffer.concat([u32(2), entry('vp09', vpcC), entry('dvh1', dvcC)]))]));
    expect(b).not.toContain(ADDRESS.slice(0, 4));
    expect(b).toContain(latin1(Buffer.from([1, 0, 0x10, 0x35, 0x10])));
  });

  it('keeps an esds SL descriptor as MP4 files have it (predefined 2), not the text after its first byte', () => {
    const dsi = Buffer.from('05021210', 'hex');
    const dcd = Buffer.concat([Buffer.from([4, 13 + dsi.length, 0x40, 0x15]), Buffer.alloc(11), dsi]);
    const sl = Buffer.concat([Buffer.from([6, 1 + text.length, 2]), text]);
    const esBody = Buffer.concat([Buffer.from([0, 1, 0]), dcd, sl]);
    const esds = full('esds', Buffer.concat([Buffer.from([3, esBody.length]), esBody]));
    const b = clean(oneTrack([full('stsd', Buffer.concat([u32(1), box('mp4a', Buffer.alloc(28), esds)]))], { handler: 'soun' }));
    expect(b).not.toContain(ADDRESS.slice(0, 4));
    const kept = Buffer.concat([Buffer.from([0, 1, 0]), dcd, Buffer.from('060102', 'hex')]);
    expect(b).toContain(latin1(Buffer.concat([Buffer.from([3, kept.length]), kept])));
  });

  it('writes each kept data reference version 0 with the flag "in this file" (1): its 4 bytes of version and flags held text', () => {
    const entries = [...'anna.weber@buyer.example'.matchAll(/.{4}/g)].map(([four]) => box('url ', Buffer.from(four)));
    const dref = full('dref', Buffer.concat([u32(entries.length), ...entries]));
    const hdlr = full('hdlr', Buffer.concat([Buffer.alloc(4), Buffer.from('vide'), Buffer.alloc(12)]));
    const moov = box('moov', box('trak', box('mdia', hdlr, box('minf', box('dinf', dref), box('stbl')))));
    const b = Buffer.from(stripVideoMetadata(new Uint8Array(Buffer.concat([box('ftyp', Buffer.from('isom\0\0\0\0')), moov]))).bytes);
    expect(latin1(b)).not.toMatch(/anna|weber|buyer/);
    expect(b.indexOf(Buffer.concat(Array<Buffer>(entries.length).fill(Buffer.concat([u32(12), Buffer.from('url '), u32(1)]))))).toBeGreaterThan(0);
  });

  it("zeroes a NAL unit in an hvcC parameter set array whose own type is not the array's (an SEI's user data filed under the VPS array), as avcC's are", () => {
    const nal = (bytes: Buffer) => Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 255]), bytes]);
    const array = (type: number, ...units: Buffer[]) => Buffer.concat([Buffer.from([0x80 | type, 0, units.length]), ...units.map(nal)]);
    const vps = Buffer.from('40010c01', 'hex');
    const sei = Buffer.concat([Buffer.from([0x4e, 1]), text]);
    const hvcC = box('hvcC', Buffer.alloc(22, 1), Buffer.from([1]), array(32, vps, sei));
    const b = Buffer.from(stripVideoMetadata(new Uint8Array(oneTrack([full('stsd', Buffer.concat([u32(1), box('hvc1', Buffer.alloc(78), hvcC)]))]))).bytes);
    expect(latin1(b)).not.toContain(ADDRESS.slice(0, 4));
    expect(b.indexOf(Buffer.concat([Buffer.from([0x80 | 32, 0, 2]), nal(vps), nal(Buffer.alloc(sei.length))]))).toBeGreaterThan(0);
  });
});
