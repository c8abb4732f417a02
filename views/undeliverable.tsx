// The notice staff see when a buyer's address is undeliverable (their mailbox gone): in the
// conversation, with the button that clears it, and as a badge on the inbox row.
import { undeliverableWords } from '../src/core/undeliverable-words.js';
import { Csrf } from './layout.js';
import { formatTime } from './time-format.js';

/** The sentence an agent reads: what is wrong, why (in words, with the codes) and since when. */
export function undeliverableSentence(since: number, reason: string | null): string {
  return `Messages to this buyer can't be delivered: ${undeliverableWords(reason)}, since ${formatTime(since, 'date')}.`;
}

/**
 * In the conversation: the notice with the status text as stored (scrubbed: the alias, never the
 * address) and a button to clear the mark; an empty slot when the buyer is deliverable (the button
 * swaps it in place).
 */
export function UndeliverableNotice(props: { pairId: number; since: number | null; reason: string | null; csrf: string }) {
  if (props.since === null) return <div id="undeliverable"></div>;
  return (
    <div id="undeliverable" class="notice warn" role="status">
      <p>
        <b>{undeliverableSentence(props.since, props.reason)}</b> Campaigns skip them; replies are still sent, and one their mail server accepts clears this.
      </p>
      {props.reason ? <p class="muted small">Their mail server said: {props.reason}</p> : null}
      <form
        method="post"
        action={`/conversations/${props.pairId}/deliverable`}
        hx-post={`/conversations/${props.pairId}/deliverable`}
        hx-target="#undeliverable"
        hx-swap="outerHTML"
      >
        <Csrf token={props.csrf} />
        <button type="submit" class="plain" title="The buyer gave a working address, or their mailbox is back: send to them again, campaigns too">
          Mark as deliverable again
        </button>
      </form>
    </div>
  );
}

/** On an inbox row: a short badge, the sentence on hover. */
export function UndeliverableBadge(props: { since: number | null }) {
  if (props.since === null) return null;
  return (
    <span class="badge bad" title={`Messages to this buyer can't be delivered since ${formatTime(props.since, 'date')}: their mail server refuses them.`}>
      undeliverable since {formatTime(props.since, 'date')}
    </span>
  );
}
