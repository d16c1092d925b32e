/**
 * Schema migrations per dialect, applied in order and recorded by id in `schema_migrations`. Never edit
 * an entry that has shipped; add a new one. SQLite keeps the history it grew with (existing files are
 * upgraded in place); PostgreSQL starts at the same final shape in one step, so `daybreak db copy` moves
 * rows column for column.
 */
export interface Migration {
  id: string;
  sql: string;
}

export const sqliteMigrations: Migration[] = [
  {
    id: '001-core',
    sql: `
      CREATE TABLE subscribers (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,            -- normalized: trimmed, domain lower-cased
        name TEXT,
        created_at TEXT NOT NULL,              -- ISO 8601 UTC
        bounced INTEGER NOT NULL DEFAULT 0,    -- set by the sender on a 5.1.x reply
        bounced_at TEXT,
        consent_at TEXT,
        consent_ip TEXT,
        consent_user_agent TEXT,
        consent_source TEXT
      );

      CREATE TABLE subscriptions (
        subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
        newsletter TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'unsubscribed')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        confirmed_at TEXT,
        unsubscribed_at TEXT,
        PRIMARY KEY (subscriber_id, newsletter)
      );
      CREATE INDEX subscriptions_by_newsletter ON subscriptions (newsletter, status, subscriber_id);

      CREATE TABLE sends (
        newsletter TEXT NOT NULL,
        edition_date TEXT NOT NULL,
        subscriber_id INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'deferred', 'failed', 'skipped', 'expired')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_reply TEXT,
        message_id TEXT NOT NULL,
        queued_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        sent_at TEXT,
        next_attempt_at TEXT,
        PRIMARY KEY (newsletter, edition_date, subscriber_id)
      );
      CREATE INDEX sends_by_state ON sends (newsletter, edition_date, state, subscriber_id);

      CREATE TABLE send_locks (
        newsletter TEXT NOT NULL,
        edition_date TEXT NOT NULL,
        holder TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (newsletter, edition_date)
      );

      CREATE TABLE runs (
        newsletter TEXT NOT NULL,
        edition_date TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('running', 'done', 'skipped', 'missed', 'failed')),
        scheduled_at TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        reason TEXT,
        total INTEGER NOT NULL DEFAULT 0,
        sent INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        deferred INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (newsletter, edition_date)
      );
    `,
  },
  {
    // Confirm tokens work once; at most one confirmation mail per address per 24 h; every sign-up attempt
    // writes (last_signup_at) so known and unknown addresses answer alike; removed ids are never reused,
    // so an old unsubscribe link can never act on a different person.
    id: '010-audience',
    sql: `
      ALTER TABLE subscribers ADD COLUMN last_confirmation_sent_at TEXT;
      ALTER TABLE subscribers ADD COLUMN last_signup_at TEXT;
      CREATE TABLE used_tokens (
        digest TEXT PRIMARY KEY,               -- SHA-256 of the token's signature, never the token itself
        used_at TEXT NOT NULL
      );
      CREATE TABLE subscriber_id_floor (
        id INTEGER NOT NULL                    -- the highest id ever removed; new ids start above it
      );
    `,
  },
  {
    id: '060-runs-lease',
    sql: `
      ALTER TABLE runs ADD COLUMN holder TEXT;
      ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;
      CREATE INDEX runs_by_start ON runs (started_at);
    `,
  },
  {
    // Local parts are case-insensitive in practice, so Victim@ and victim@ are one person. `email_key` is
    // lower(email) (addresses are ASCII, so SQLite's ASCII lower() is the whole job). On a backfill
    // collision the oldest row gets the key and later ones keep their history with a NULL key. The
    // trigger keys rows inserted by writers that do not know the column.
    id: '011-audience-email-key',
    sql: `
      ALTER TABLE subscribers ADD COLUMN email_key TEXT;
      UPDATE subscribers SET email_key = lower(email)
        WHERE id IN (SELECT MIN(id) FROM subscribers GROUP BY lower(email));
      CREATE UNIQUE INDEX subscribers_by_email_key ON subscribers (email_key);
      CREATE TRIGGER subscribers_email_key_on_insert AFTER INSERT ON subscribers
        WHEN NEW.email_key IS NULL
        BEGIN UPDATE subscribers SET email_key = lower(NEW.email) WHERE id = NEW.id; END;
    `,
  },
  {
    // Many senders on one edition: each copy is claimed with a lease on the database's clock instead of
    // one edition-wide lock. `tries` counts attempts since the copy was last opened for a run. The
    // outbox holds transactional mail committed with the change that causes it. `send_rate` meters the
    // whole fleet's sending rate.
    id: '070-shared-ledger',
    sql: `
      ALTER TABLE sends ADD COLUMN claimed_by TEXT;
      ALTER TABLE sends ADD COLUMN lease_until TEXT;
      ALTER TABLE sends ADD COLUMN tries INTEGER NOT NULL DEFAULT 0;
      DROP TABLE send_locks;
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('confirmation', 'welcome', 'unsubscribed')),
        subscriber_id INTEGER NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        next_attempt_at TEXT NOT NULL,
        claimed_by TEXT,
        lease_until TEXT,
        sent_at TEXT,
        last_error TEXT
      );
      CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
      CREATE TABLE send_rate (
        bucket TEXT PRIMARY KEY,
        second TEXT NOT NULL,
        used INTEGER NOT NULL
      );
    `,
  },
];

// A database's token keys, when they live in the database (PostgreSQL, shared by every machine).
const SECRET_KEYS = `
      CREATE TABLE secret_keys (
        seq INTEGER PRIMARY KEY,               -- the highest is the current signing key
        id TEXT NOT NULL UNIQUE,               -- k0, k1, …: travels in every token
        secret TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
`;
sqliteMigrations.push({ id: '080-secret-keys', sql: SECRET_KEYS });

// Readers in charge: a reader's own timezone (IANA name; NULL = the newsletter's), the sections they chose
// per subscription (a JSON array; NULL = every section), and per copy the instant it is due (local-time
// delivery: NULL = at once). The edition a local-time day's first wave went out with is pinned, so every
// later wave, worker and restart sends that same edition.
const READER_PREFERENCES = `
      ALTER TABLE subscribers ADD COLUMN timezone TEXT;
      ALTER TABLE subscriptions ADD COLUMN sections TEXT;
      ALTER TABLE sends ADD COLUMN due_at TEXT;
      CREATE INDEX sends_by_due ON sends (newsletter, edition_date, state, due_at);
      CREATE TABLE edition_pins (
        newsletter TEXT NOT NULL,
        edition_date TEXT NOT NULL,
        edition TEXT NOT NULL,                 -- the assembled edition as JSON
        pinned_at TEXT NOT NULL,
        PRIMARY KEY (newsletter, edition_date)
      );
`;
sqliteMigrations.push({ id: '090-reader-preferences', sql: READER_PREFERENCES });

// Mail that came back (bounces, complaints, unsubscribe mails, auto-replies, provider events), kept raw
// with its classification so a publisher can audit why a reader was dropped. `event_id` makes a
// provider's replayed event (or an IMAP message read again) a no-op (UNIQUE; NULL for SMTP mail, which is all kept).
const inboundTable = (id: string) => `
      CREATE TABLE inbound_messages (
        id ${id},
        received_at TEXT NOT NULL,
        source TEXT NOT NULL,                  -- smtp, imap, ses, postmark, mailgun, sendgrid
        event_id TEXT UNIQUE,
        envelope_from TEXT,
        recipient TEXT,
        kind TEXT NOT NULL CHECK (kind IN ('hard-bounce', 'soft-bounce', 'delayed', 'complaint', 'unsubscribe', 'auto-reply', 'unknown')),
        subscriber_id INTEGER,
        newsletter TEXT,
        edition_date TEXT,
        status TEXT,                           -- the DSN's Status (e.g. 5.1.1) or the provider's
        diagnostic TEXT,
        outcome TEXT NOT NULL,                 -- what it changed, in words
        raw TEXT NOT NULL,
        raw_encoding TEXT NOT NULL CHECK (raw_encoding IN ('utf8', 'base64'))
      );
      CREATE INDEX inbound_by_subscriber ON inbound_messages (subscriber_id, kind, received_at);
      CREATE INDEX inbound_by_time ON inbound_messages (received_at);
`;

sqliteMigrations.push({
  // A complaint (RFC 5965) is recorded on the person; a held run is an edition the pre-send gate stopped.
  // SQLite cannot change a CHECK constraint in place, so `runs` is rebuilt with the same columns.
  id: '090-inbound-and-held-runs',
  sql: `
      ALTER TABLE subscribers ADD COLUMN complained_at TEXT;
      ${inboundTable('INTEGER PRIMARY KEY')}
      CREATE TABLE runs_new (
        newsletter TEXT NOT NULL,
        edition_date TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('running', 'done', 'skipped', 'missed', 'failed', 'held')),
        scheduled_at TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        reason TEXT,
        total INTEGER NOT NULL DEFAULT 0,
        sent INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        deferred INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        holder TEXT,
        heartbeat_at TEXT,
        PRIMARY KEY (newsletter, edition_date)
      );
      INSERT INTO runs_new (newsletter, edition_date, state, scheduled_at, started_at, finished_at, reason, total, sent, failed, deferred, skipped, holder, heartbeat_at)
        SELECT newsletter, edition_date, state, scheduled_at, started_at, finished_at, reason, total, sent, failed, deferred, skipped, holder, heartbeat_at FROM runs;
      DROP TABLE runs;
      ALTER TABLE runs_new RENAME TO runs;
      CREATE INDEX runs_by_start ON runs (started_at);
  `,
});

export const postgresMigrations: Migration[] = [
  {
    id: '001-core',
    sql: `
      CREATE TABLE subscribers (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        name TEXT,
        created_at TEXT NOT NULL,
        bounced INTEGER NOT NULL DEFAULT 0,
        bounced_at TEXT,
        consent_at TEXT,
        consent_ip TEXT,
        consent_user_agent TEXT,
        consent_source TEXT,
        last_confirmation_sent_at TEXT,
        last_signup_at TEXT,
        email_key TEXT UNIQUE
      );
      CREATE TABLE subscriptions (
        subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
        newsletter TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'unsubscribed')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        confirmed_at TEXT,
        unsubscribed_at TEXT,
        PRIMARY KEY (subscriber_id, newsletter)
      );
      CREATE INDEX subscriptions_by_newsletter ON subscriptions (newsletter, status, subscriber_id);
      CREATE TABLE used_tokens (digest TEXT PRIMARY KEY, used_at TEXT NOT NULL);
      CREATE TABLE subscriber_id_floor (id INTEGER NOT NULL);
      CREATE TABLE sends (
        newsletter TEXT NOT NULL,
        edition_date TEXT NOT NULL,
        subscriber_id INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'deferred', 'failed', 'skipped', 'expired')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_reply TEXT,
        message_id TEXT NOT NULL,
        queued_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        sent_at TEXT,
        next_attempt_at TEXT,
        claimed_by TEXT,
        lease_until TEXT,
        tries INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (newsletter, edition_date, subscriber_id)
      );
      CREATE INDEX sends_by_state ON sends (newsletter, edition_date, state, subscriber_id);
      CREATE TABLE runs (
        newsletter TEXT NOT NULL,
        edition_date TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('running', 'done', 'skipped', 'missed', 'failed')),
        scheduled_at TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        reason TEXT,
        total INTEGER NOT NULL DEFAULT 0,
        sent INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        deferred INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        holder TEXT,
        heartbeat_at TEXT,
        PRIMARY KEY (newsletter, edition_date)
      );
      CREATE INDEX runs_by_start ON runs (started_at);
      CREATE TABLE outbox (
        id BIGSERIAL PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('confirmation', 'welcome', 'unsubscribed')),
        subscriber_id INTEGER NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        next_attempt_at TEXT NOT NULL,
        claimed_by TEXT,
        lease_until TEXT,
        sent_at TEXT,
        last_error TEXT
      );
      CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
      CREATE TABLE send_rate (bucket TEXT PRIMARY KEY, second TEXT NOT NULL, used INTEGER NOT NULL);
    `,
  },
  { id: '080-secret-keys', sql: SECRET_KEYS },
  { id: '090-reader-preferences', sql: READER_PREFERENCES },
  {
    id: '090-inbound-and-held-runs',
    sql: `
      ALTER TABLE subscribers ADD COLUMN complained_at TEXT;
      ${inboundTable('BIGSERIAL PRIMARY KEY')}
      ALTER TABLE runs DROP CONSTRAINT runs_state_check;
      ALTER TABLE runs ADD CONSTRAINT runs_state_check CHECK (state IN ('running', 'done', 'skipped', 'missed', 'failed', 'held'));
    `,
  },
];

// The archive keeps each edition as it went out (the web copy, with no reader's data), so editing the
// articles afterwards never rewrites it; sent_at is when its first copy was handed over.
const ARCHIVED_EDITIONS = `
      CREATE TABLE archived_editions (
        newsletter TEXT NOT NULL,
        edition_date TEXT NOT NULL,
        subject TEXT NOT NULL,
        html TEXT NOT NULL,
        sent_at TEXT NOT NULL,
        PRIMARY KEY (newsletter, edition_date)
      );
`;
sqliteMigrations.push({ id: '100-archived-editions', sql: ARCHIVED_EDITIONS });
postgresMigrations.push({ id: '100-archived-editions', sql: ARCHIVED_EDITIONS });

/** Tables in the order rows can be copied (referenced tables first). */
export const TABLES = ['subscribers', 'subscriptions', 'used_tokens', 'subscriber_id_floor', 'sends', 'runs', 'outbox', 'secret_keys', 'edition_pins', 'inbound_messages', 'archived_editions'] as const;
