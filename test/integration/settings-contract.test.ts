// The settings port (src/store/settings-ports.ts) on both adapters: banned words and category
// rules read and written alike, a fresh database of either kind starts with the same category
// rules, and the pipeline (through the mail port) applies the words the settings wrote.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CATEGORY_RULES } from '../../src/core/categorize.js';
import { ADAPTERS, NOW, seedBasics, type ContractHarness } from '../helpers/contract-harness.js';

describe.each(ADAPTERS)('the settings port on %s', (_name, make) => {
  let h: ContractHarness;
  beforeAll(async () => {
    h = await make();
    await seedBasics(h);
    await h.afterSeed();
  }, 120_000);
  afterAll(async () => h?.close());

  it('starts a fresh database with the default category rules, in their order', async () => {
    expect(await h.a.settings.categoryRules()).toEqual(DEFAULT_CATEGORY_RULES);
    expect(await h.b.mail.categoryRules()).toEqual(DEFAULT_CATEGORY_RULES);
  });

  it('replaces the category rules as one list, and the pipeline reads the new list', async () => {
    const next = [
      { category: 'refund' as const, field: 'subject' as const, pattern: 'money back' },
      { category: 'product_question' as const, field: 'sender' as const, pattern: 'ask' },
    ];
    await h.a.settings.replaceCategoryRules(next);
    expect(await h.b.settings.categoryRules()).toEqual(next);
    expect(await h.b.mail.categoryRules()).toEqual(next);
  });

  it('leaves one list when two nodes save theirs at once', async () => {
    const mine = [{ category: 'refund' as const, field: 'subject' as const, pattern: 'mine' }];
    const theirs = [
      { category: 'refund' as const, field: 'subject' as const, pattern: 'theirs 1' },
      { category: 'refund' as const, field: 'subject' as const, pattern: 'theirs 2' },
    ];
    await Promise.all([h.a.settings.replaceCategoryRules(mine), h.b.settings.replaceCategoryRules(theirs)]);
    expect([mine, theirs]).toContainEqual(await h.a.settings.categoryRules());
  });

  it('keeps banned words lower-cased, the global list and each store its own, and lists them alike', async () => {
    const g = await h.a.settings.addBannedWord('WhatsApp', null, NOW);
    expect(g).toMatchObject({ storeId: null, word: 'whatsapp', createdAt: NOW });
    await h.a.settings.addBannedWord('Zelle', 1, NOW);
    await h.a.settings.addBannedWord('bank transfer', 1, NOW);
    await h.a.settings.addBannedWord('Telegram', 2, NOW);
    expect((await h.b.settings.bannedWords(1)).map((w) => w.word)).toEqual(['bank transfer', 'whatsapp', 'zelle']);
    expect((await h.b.settings.bannedWords(null)).map((w) => w.word)).toEqual(['whatsapp']);
    expect((await h.b.settings.allBannedWords()).map((w) => [w.storeId, w.word])).toEqual([
      [null, 'whatsapp'],
      [1, 'bank transfer'],
      [1, 'zelle'],
      [2, 'telegram'],
    ]);
    // What the pipeline matches mail against, for each store.
    expect(await h.b.mail.bannedWords(1)).toEqual(['bank transfer', 'whatsapp', 'zelle']);
    expect(await h.b.mail.bannedWords(2)).toEqual(['telegram', 'whatsapp']);
  });

  it('answers null for a word already on that list (in any case), and adds it to another list', async () => {
    expect(await h.b.settings.addBannedWord('WHATSAPP', null)).toBeNull();
    expect(await h.b.settings.addBannedWord('zelle', 1)).toBeNull();
    expect(await h.b.settings.addBannedWord('zelle', 2)).toMatchObject({ storeId: 2, word: 'zelle' });
  });

  it('adds a word once when two nodes add it at once', async () => {
    const got = await Promise.all([h.a.settings.addBannedWord('venmo', null), h.b.settings.addBannedWord('venmo', null)]);
    expect(got.filter((r) => r !== null)).toHaveLength(1);
    expect((await h.a.settings.bannedWords(null)).filter((w) => w.word === 'venmo')).toHaveLength(1);
  });

  it('removes a word by id, and says false for an id it does not know', async () => {
    const row = await h.a.settings.addBannedWord('paypal friends', 1);
    expect(await h.b.settings.removeBannedWord(row?.id as number)).toBe(true);
    expect(await h.b.settings.removeBannedWord(row?.id as number)).toBe(false);
    expect((await h.a.settings.bannedWords(1)).map((w) => w.word)).not.toContain('paypal friends');
  });
});
