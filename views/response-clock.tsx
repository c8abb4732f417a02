// The response clock on a conversation page: whether the store owes the buyer an answer, for how
// long, and the "No response needed" button that stops the clock (the next buyer message starts a
// new one). The page renders ResponseClockBox; htmx fills it from /conversations/{id}/response-clock.
import { LATE_AFTER_MS, durationText } from '../src/core/response-clock.js';
import type { ConversationClock } from '../src/store/reports.js';
import { Csrf } from './layout.js';
import { displayZone, formatTime } from './time-format.js';

/** The one line the conversation page renders: loads the panel below. */
export function ResponseClockBox(props: { pairId: number }) {
  return <div id="response-clock" hx-get={`/conversations/${props.pairId}/response-clock`} hx-trigger="load" hx-swap="outerHTML"></div>;
}

const when = (ms: number) => `${formatTime(ms)} ${displayZone()}`;

export function ResponseClockPanel(props: { pairId: number; clock: ConversationClock | null; csrf: string; now: number }) {
  const c = props.clock;
  let state;
  if (!c) state = <span class="muted">No buyer message waits for an answer.</span>;
  else if (c.answeredAt !== null) state = <span class="muted">Answered in {durationText(c.answeredAt - c.startedAt)}.</span>;
  else if (c.notNeededAt !== null) state = <span class="muted">No response needed{c.notNeededBy ? ` (${c.notNeededBy}, ${when(c.notNeededAt)})` : ''}.</span>;
  else {
    const left = c.startedAt + LATE_AFTER_MS - props.now;
    state = (
      <>
        <span class={left < 0 ? 'badge bad' : 'badge'}>{left < 0 ? `late by ${durationText(-left)}` : `answer within ${durationText(left)}`}</span>{' '}
        <form
          method="post"
          class="inline"
          action={`/conversations/${props.pairId}/no-response-needed`}
          hx-post={`/conversations/${props.pairId}/no-response-needed`}
          hx-target="#response-clock"
          hx-swap="outerHTML"
        >
          <Csrf token={props.csrf} />
          <button type="submit" class="plain" title="Stops the response clock; the buyer's next message starts it again">
            No response needed
          </button>
        </form>
      </>
    );
  }
  return (
    <div id="response-clock" class="response-clock">
      <h3>Response clock</h3>
      {state}
    </div>
  );
}
