// Owns the error a document handler throws when a file is not what it claims or cannot be read as
// its application shows it: the part is removed with the message as the reason.
export class NotWhatItClaims extends Error {}

/**
 * Unzipped size limit, in bytes, of the parts a document's packages give to be read as text (an
 * Office package's XML, a .ppt's zipped layouts), all of one document's together: reading holds
 * ~5–6× their size (document-metadata.ts MAX_XML_TEXT says why 16 MB).
 */
export const MAX_XML_TEXT = 16 * 1024 * 1024;
/** The reason a document past MAX_XML_TEXT is removed with. */
export const TOO_MUCH_TEXT = 'holds more than 16 MB of text to read, more than the gateway reads for one document';
