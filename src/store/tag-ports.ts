// The storage port of tags, internal notes and reported messages (re-exported by
// src/store/ports.ts): tags are global (a name, unique, and a colour), at most MAX_TAGS_PER_MESSAGE
// a message, checked in the transaction that adds one (on PostgreSQL with the message row locked,
// so two nodes tagging one message at once cannot pass the limit). Both adapters implement it
// (src/store/sqlite/tags.ts, src/store/pg/tags.ts); the contract cases are in
// test/integration/templates-tags-contract.test.ts. Times are integer milliseconds since the epoch.
import type { Note, Report } from './notes.js';
import type { Tag, TagColour, TagOutcome } from './tags.js';

export type { Note, Report, Tag, TagColour, TagOutcome };

export interface TagStore {
  /** Every tag, by name (binary order). */
  list(): Promise<Tag[]>;
  get(id: number): Promise<Tag | null>;
  byName(name: string): Promise<Tag | null>;
  /** A new tag; null when the name is taken. */
  create(name: string, colour: TagColour): Promise<Tag | null>;
  /** Renames and recolours; false when another tag has that name. */
  update(id: number, name: string, colour: TagColour): Promise<boolean>;
  /** Deletes the tag and takes it off every message. */
  remove(id: number): Promise<void>;
  /** The tags of each message that has any, by name. */
  forMessages(ids: readonly number[]): Promise<Map<number, Tag[]>>;
  add(messageId: number, tagId: number): Promise<TagOutcome>;
  removeFrom(messageId: number, tagId: number): Promise<void>;
  /** A conversation's internal notes, oldest first, with the author's name. */
  notes(pairId: number): Promise<Note[]>;
  addNote(pairId: number, userId: number, body: string, now?: number): Promise<void>;
  /** Reports a message for the owner to review. */
  report(messageId: number, userId: number, reason: string, now?: number): Promise<void>;
  /** Which of these messages have an open report. */
  reportedIds(messageIds: readonly number[]): Promise<Set<number>>;
  /** Open reports, newest first. */
  openReports(): Promise<Report[]>;
  resolveReport(id: number, now?: number): Promise<void>;
}
