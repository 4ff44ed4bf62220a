import { snapshot } from '../test/samples';
import { AlertBook } from './alert-book';
import { AlertEngine } from './alert-engine';
import { RuleSet } from './alert-rules';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const SEC = 1000;

/** The engine and the book together, as the evaluator runs them, fed synthetic samples. */
function lifecycle(silences: ConstructorParameters<typeof AlertBook>[0] = []) {
  const rules = new RuleSet();
  const engine = new AlertEngine((id) => rules.forHost(id));
  const book = new AlertBook(silences);
  const feed = (at: number, memory: number, agent = 'web-01') =>
    book.apply(engine.evaluate(snapshot(agent, at, { memory }), at));
  return { engine, book, feed };
}

describe(AlertBook.name, () => {
  it('notifies a new alert, its escalation and its clearing; a step down stays quiet', () => {
    const { feed } = lifecycle();
    const changes = [
      ...feed(T0, 90),
      ...feed(T0 + SEC, 97),
      ...feed(T0 + 2 * SEC, 88),
      ...feed(T0 + 3 * SEC, 10),
    ].map((e) => [e.change, e.notify]);
    expect(changes).toEqual([
      ['raised', true],
      ['escalated', true],
      ['deescalated', false],
      ['resolved', true],
    ]);
  });

  it('keeps an acknowledged alert out of reminders until it escalates, which clears the ack', () => {
    const { feed, book } = lifecycle();
    const [raised] = feed(T0, 90);
    expect(book.remindable(raised.alert, T0)).toBe(true);
    const ack = book.acknowledge(raised.alert.id, 'alice', T0 + SEC);
    expect(ack?.alert).toMatchObject({ acknowledged: true, acknowledged_by: 'alice' });
    expect(ack?.notify).toBe(false);
    expect(book.remindable(book.get(raised.alert.id) ?? raised.alert, T0 + SEC)).toBe(false);
    const [up] = feed(T0 + 2 * SEC, 97);
    expect(up).toMatchObject({ change: 'escalated', notify: true });
    expect(up.alert).toMatchObject({ acknowledged: false, acknowledged_by: null });
    expect(book.acknowledge('no-such-alert', 'alice', T0)).toBeNull();
  });

  it('records alerts raised inside a silence without notifying them or their clearing', () => {
    const { feed, book } = lifecycle([{ agentId: 'web-01', startsAt: T0, endsAt: T0 + 60 * SEC }]);
    const [quiet] = feed(T0 + SEC, 90);
    expect(quiet).toMatchObject({ change: 'raised', notify: false, alert: { silenced: true } });
    expect(feed(T0 + 2 * SEC, 90, 'web-02')[0]).toMatchObject({ notify: true });
    expect(book.remindable(quiet.alert, T0 + 2 * SEC)).toBe(false);
    expect(feed(T0 + 3 * SEC, 10)[0]).toMatchObject({ change: 'resolved', notify: false });
    // After the window, the same condition notifies again.
    expect(feed(T0 + 61 * SEC, 90)[0]).toMatchObject({ change: 'raised', notify: true });
  });

  it('after a restart, resolves a restored alert with a notification only if it was notified', () => {
    const first = lifecycle();
    const [raised] = first.feed(T0, 90);
    const second = lifecycle();
    second.engine.restore(
      [{ id: raised.alert.id, agentId: 'web-01', type: 'memory', subject: '', level: 'warning' }],
      T0,
    );
    second.book.restore([raised.alert], [raised.alert.id]);
    expect(second.feed(T0 + SEC, 90)).toEqual([]);
    expect(second.feed(T0 + 2 * SEC, 10)[0]).toMatchObject({ change: 'resolved', notify: true });
  });

  it('adopts an acknowledgement stored by another replica, unless the alert escalated since', () => {
    const { book, feed } = lifecycle();
    const [raised] = feed(T0, 90);
    const acked = {
      ...raised.alert,
      acknowledged: true,
      acknowledged_at: 'x',
      acknowledged_by: 'ann',
    };
    expect(book.adoptAcknowledgements([{ ...acked, level: 'critical' }])).toBe(0);
    expect(book.get(raised.alert.id)?.acknowledged).toBe(false);
    expect(book.adoptAcknowledgements([acked])).toBe(1);
    expect(book.get(raised.alert.id)).toMatchObject({ acknowledged: true, acknowledged_by: 'ann' });
    expect(book.remindable(book.get(raised.alert.id) as never, T0)).toBe(false);
    expect(book.adoptAcknowledgements([acked])).toBe(0);
  });
});
