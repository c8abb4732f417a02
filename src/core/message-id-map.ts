// Owns threading across the wall. Every delivered message gets a new Message-ID on the relay
// domain; this translates In-Reply-To/References so each side sees the ids it knows:
// its own messages by their original ids, the other side's by the relay ids we gave them.
// The pair alias is the thread key; ids are looked up only within the pair, so two buyers'
// threads can never merge, and unknown ids are dropped (they would leak a foreign mail system).
import type { Side } from './types.js';

export interface IdMapping {
  readonly relayId: string;
  readonly originalId: string | null;
  /** Who wrote the message these ids belong to. */
  readonly author: Side;
  /** When it arrived (ms), where known. */
  readonly receivedAt?: number;
}

/** When the latest message of `author` that the incoming ids cite (by its relay id) arrived. */
export function latestCited(ids: readonly string[], author: Side, mappings: readonly IdMapping[]): number | null {
  const cited = new Set(ids.map((id) => id.toLowerCase()));
  let latest: number | null = null;
  for (const m of mappings) {
    if (m.author !== author || m.receivedAt === undefined || !cited.has(m.relayId.toLowerCase())) continue;
    latest = latest === null ? m.receivedAt : Math.max(latest, m.receivedAt);
  }
  return latest;
}

export interface Threading {
  readonly inReplyTo: string | null;
  readonly references: readonly string[];
  /** How many incoming ids could not be translated and were dropped. */
  readonly dropped: number;
}

/** The longest References chain we pass on (RFC 5322 suggests trimming long chains). */
export const MAX_REFERENCES = 50;

export function translateThreading(inReplyTo: readonly string[], references: readonly string[], from: Side, mappings: readonly IdMapping[]): Threading {
  const byOriginal = new Map<string, IdMapping>();
  const byRelay = new Map<string, IdMapping>();
  for (const m of mappings) {
    if (m.originalId) byOriginal.set(m.originalId.toLowerCase(), m);
    byRelay.set(m.relayId.toLowerCase(), m);
  }
  const cache = new Map<string, string | null>();
  const translate = (id: string): string | null => {
    const key = id.toLowerCase();
    if (cache.has(key)) return cache.get(key) ?? null;
    let out: string | null = null;
    const own = byOriginal.get(key);
    const relayed = byRelay.get(key);
    // The writer's own earlier message: the reader saw it under its relay id.
    if (own && own.author === from) out = own.relayId;
    // A message the writer received from the reader: give the reader its original id back.
    else if (relayed && relayed.author !== from) out = relayed.originalId ?? relayed.relayId;
    // A relay id of the writer's own message (a second mailbox of the same side): the reader knows it.
    else if (relayed) out = relayed.relayId;
    cache.set(key, out);
    return out;
  };
  const refs: string[] = [];
  const seen = new Set<string>();
  for (const id of references.slice(-MAX_REFERENCES)) {
    const t = translate(id);
    if (t && !seen.has(t.toLowerCase())) {
      seen.add(t.toLowerCase());
      refs.push(t);
    }
  }
  let reply: string | null = null;
  for (const id of inReplyTo) {
    reply = translate(id);
    if (reply) break;
  }
  // RFC 5322 §3.6.4: References should end with the parent.
  if (reply && !seen.has(reply.toLowerCase())) refs.push(reply);
  if (!reply && refs.length > 0) reply = refs[refs.length - 1] ?? null;
  let dropped = 0;
  for (const value of cache.values()) if (value === null) dropped++;
  return { inReplyTo: reply, references: refs, dropped };
}
