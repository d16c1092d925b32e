/**
 * Schema migrations, applied in order and recorded by id in `schema_migrations`. Each area of the app
 * appends its own entries; never edit an entry that has shipped, add a new one.
 */
export interface Migration {
  id: string;
  sql: string;
}

export const migrations: Migration[] = [
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

      -- The send ledger (issue 4): one row per copy of an edition.
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

      -- One holder per edition at a time, so two send processes never mail the same reader.
      CREATE TABLE send_locks (
        newsletter TEXT NOT NULL,
        edition_date TEXT NOT NULL,
        holder TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (newsletter, edition_date)
      );

      -- The run ledger (issue 6): one row per scheduled edition.
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
    // Issue 5 (readers): confirm tokens work once; at most one confirmation mail per address per 24 h;
    // every sign-up attempt writes (last_signup_at) so known and unknown addresses answer alike, timing too;
    // removed ids are never reused, so an old unsubscribe link can never act on a different person.
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
    // Issue 6: a lease on a running edition, so a second scheduler (or a restart) can tell a live run
    // from one whose process died mid-send and must be resumed.
    id: '060-runs-lease',
    sql: `
      ALTER TABLE runs ADD COLUMN holder TEXT;        -- host:pid:nonce of the scheduler running it
      ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;  -- renewed while the run is in progress
      CREATE INDEX runs_by_start ON runs (started_at);
    `,
  },
  {
    // Issue 5 (readers), review 57: mailbox local parts are case-insensitive in practice, so Victim@,
    // victim@ and vIctim@ are one person and share one confirmation per 24 h. `email` keeps the address
    // as first given (trimmed, domain lower-cased); `email_key` is lower(email) (addresses are ASCII:
    // EmailSchema refuses anything else, so SQLite's ASCII-only lower() is the whole job) and is what
    // lookups, uniqueness and the confirmation limit go by.
    // Backfill collisions (rows that differ only in case): the OLDEST row (lowest id) gets the key; the
    // later ones keep everything (subscriptions, consent, send history, their links keep working) but
    // get email_key NULL, so nothing new ever lands on them. Nothing is merged or deleted here: merging
    // would break the unsubscribe links already mailed to the later rows. `subscribers remove` deletes
    // every row of the address, whatever its case; `subscribers list` shows them all.
    // The trigger keys rows inserted by code that does not know the column (SQL fixtures, old tools),
    // so the UNIQUE index holds for every writer.
    id: '011-audience-email-key',
    sql: `
      ALTER TABLE subscribers ADD COLUMN email_key TEXT;  -- lower(email); NULL only for backfill duplicates
      UPDATE subscribers SET email_key = lower(email)
        WHERE id IN (SELECT MIN(id) FROM subscribers GROUP BY lower(email));
      CREATE UNIQUE INDEX subscribers_by_email_key ON subscribers (email_key);
      CREATE TRIGGER subscribers_email_key_on_insert AFTER INSERT ON subscribers
        WHEN NEW.email_key IS NULL
        BEGIN UPDATE subscribers SET email_key = lower(NEW.email) WHERE id = NEW.id; END;
    `,
  },
];
