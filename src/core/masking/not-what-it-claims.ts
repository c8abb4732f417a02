// Owns the error a document handler throws when a file is not what it claims or cannot be read as
// its application shows it: the part is removed with the message as the reason.
export class NotWhatItClaims extends Error {}
