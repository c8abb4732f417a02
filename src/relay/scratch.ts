// Owns reusing one buffer for a step that builds bytes another copy is then made from (the text a
// string is decoded from, the 7bit part nodemailer copies into the message), on the thread that runs
// it. A fresh Buffer of a MiB is a MiB more of V8's external memory, which brings the next full
// collection nearer (V8 starts one every ~64 MiB of it); reused, it is counted once.

/** A buffer a step borrows and gives back; kept between uses while it is at most `keep` bytes. */
export class Scratch {
  #buffer: Buffer | null = null;
  #lent = false;

  /** @param keep the largest buffer (bytes) kept between uses; larger ones are made for the use and dropped. */
  constructor(readonly keep: number) {}

  /**
   * `size` bytes (contents undefined) to use until `giveBack`: the kept buffer when it is free and
   * large enough, else a fresh one (kept, when at most `keep` bytes and none is lent).
   */
  borrow(size: number): Buffer {
    if (this.#lent || size > this.keep) return Buffer.allocUnsafeSlow(size);
    this.#lent = true;
    if (!this.#buffer || this.#buffer.length < size)
      this.#buffer = Buffer.allocUnsafeSlow(Math.min(this.keep, Math.max(size, 2 * (this.#buffer?.length ?? 0))));
    return this.#buffer.subarray(0, size);
  }

  /** Ends the use of what `borrow` gave (a no-op for a buffer made for the use). */
  giveBack(lent: Buffer): void {
    if (this.#buffer && lent.buffer === this.#buffer.buffer) this.#lent = false;
  }
}

/**
 * The bytes a text is read into, shared on each thread by the steps that do so one at a time and
 * synchronously (the parse's text, mailparser-text.ts; the 7bit reading of a text to compose,
 * transfer-encoding.ts): one buffer of up to 2 MiB a thread, not one each.
 */
export const textScratch = new Scratch(2 * 1024 * 1024);
