// Owns the order in which waiters of many clients are served when one resource is shared fairly:
// next is the oldest waiter among the clients that hold the fewest now (first come, first served
// among equals and for one client alone). DATA admission (smtp/data-admission.ts) serves its slots
// this way, keyed by core/client-key.ts.
//
// Each client has its own line of waiters (a linked list: a waiter leaving from the middle, a
// timeout or a closed session, is unlinked at once), and the clients that have someone waiting
// are kept in a binary heap ordered by (held now, arrival of its oldest waiter). So serving the
// next, a waiter leaving and a count changing cost a few comparisons per level of the heap: they
// grow with the number of waiting *clients*, not waiters (one busy address with 16 000 waiters
// was 3 s of passes over the whole queue to drain; README "Round 25: DATA admission by address").

/** A waiter in the queue: the handle `add` returns, for `remove`. */
export interface Waiting<T> {
  readonly value: T;
  /** The client it waits for. */
  readonly client: string;
}

interface Node<T> extends Waiting<T> {
  /** Arrival order (smaller: older). */
  readonly seq: number;
  prev: Node<T> | null;
  next: Node<T> | null;
  /** Its client's record while it waits; null once served or removed. */
  line: Client<T> | null;
}

/** One client: what it holds and its line of waiters (present while it holds or waits). */
interface Client<T> {
  readonly key: string;
  held: number;
  head: Node<T> | null;
  tail: Node<T> | null;
  waiting: number;
  /** Its index in the heap while it has a waiter, else -1. */
  at: number;
}

/** Waiters by client, served oldest first among the clients holding the fewest. */
export class FairQueue<T> {
  readonly #clients = new Map<string, Client<T>>();
  /** The clients with a waiter, ordered by (held, oldest waiter's arrival): the next to serve first. */
  readonly #heap: Client<T>[] = [];
  #size = 0;
  #seq = 0;
  #comparisons = 0;

  /** Waiters now. */
  get size(): number {
    return this.#size;
  }

  /** Clients with a waiter now (the heap's size). */
  get waitingClients(): number {
    return this.#heap.length;
  }

  /** Comparisons of waiting clients made so far: what ordering them has cost (tests bound it). */
  get comparisons(): number {
    return this.#comparisons;
  }

  /** How many `client` holds now. */
  held(client: string): number {
    return this.#clients.get(client)?.held ?? 0;
  }

  /** `client` holds one more. */
  hold(client: string): void {
    const c = this.#client(client);
    c.held += 1;
    if (c.at >= 0) this.#down(c.at);
  }

  /** `client` gave one back (nothing if it held none). */
  letGo(client: string): void {
    const c = this.#clients.get(client);
    if (!c || c.held === 0) return;
    c.held -= 1;
    if (c.at >= 0) this.#up(c.at);
    this.#forgetIfIdle(c);
  }

  /** `value` waits for `client`, behind everyone who came before it. */
  add(client: string, value: T): Waiting<T> {
    const c = this.#client(client);
    const node: Node<T> = { value, client, seq: this.#seq++, prev: c.tail, next: null, line: c };
    if (c.tail) c.tail.next = node;
    else c.head = node;
    c.tail = node;
    c.waiting += 1;
    this.#size += 1;
    if (c.at < 0) {
      c.at = this.#heap.length;
      this.#heap.push(c);
      this.#up(c.at);
    }
    return node;
  }

  /** Takes `waiting` out of the queue; false if it was no longer in it (served or removed before). */
  remove(waiting: Waiting<T>): boolean {
    const node = waiting as Node<T>;
    const c = node.line;
    if (!c) return false;
    node.line = null;
    const wasHead = c.head === node;
    if (node.prev) node.prev.next = node.next;
    else c.head = node.next;
    if (node.next) node.next.prev = node.prev;
    else c.tail = node.prev;
    node.prev = node.next = null;
    c.waiting -= 1;
    this.#size -= 1;
    if (c.waiting === 0) this.#pull(c);
    else if (wasHead) this.#down(c.at); // its oldest waiter is now a younger one: it moves back
    this.#forgetIfIdle(c);
    return true;
  }

  /** Takes the next to serve out of the queue: the oldest waiter of the clients holding the fewest. */
  shift(): Waiting<T> | undefined {
    const head = this.#heap[0]?.head;
    if (!head) return undefined;
    this.remove(head);
    return head;
  }

  #client(key: string): Client<T> {
    let c = this.#clients.get(key);
    if (!c) {
      c = { key, held: 0, head: null, tail: null, waiting: 0, at: -1 };
      this.#clients.set(key, c);
    }
    return c;
  }

  #forgetIfIdle(c: Client<T>): void {
    if (c.held === 0 && c.waiting === 0) this.#clients.delete(c.key);
  }

  /** Whether `a` is served before `b`. */
  #before(a: Client<T>, b: Client<T>): boolean {
    this.#comparisons += 1;
    if (a.held !== b.held) return a.held < b.held;
    return a.head!.seq < b.head!.seq;
  }

  #place(c: Client<T>, at: number): void {
    this.#heap[at] = c;
    c.at = at;
  }

  #up(at: number): void {
    const c = this.#heap[at]!;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const p = this.#heap[parent]!;
      if (!this.#before(c, p)) break;
      this.#place(p, at);
      at = parent;
    }
    this.#place(c, at);
  }

  #down(at: number): void {
    const heap = this.#heap;
    const c = heap[at]!;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && this.#before(heap[right]!, heap[left]!) ? right : left;
      if (!this.#before(heap[child]!, c)) break;
      this.#place(heap[child]!, at);
      at = child;
    }
    this.#place(c, at);
  }

  /** Takes `c` (its last waiter gone) out of the heap. */
  #pull(c: Client<T>): void {
    const at = c.at;
    const last = this.#heap.pop()!;
    c.at = -1;
    if (last === c) return;
    this.#place(last, at);
    this.#up(at);
    this.#down(last.at);
  }
}
