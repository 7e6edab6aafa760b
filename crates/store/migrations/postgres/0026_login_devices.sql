-- Browsers that have logged in to an account (the hash of their device cookie). An
-- attempt from such a browser is throttled on its own count, not on the account's or
-- the address's: someone guessing a password elsewhere cannot lock the real user out
-- (OWASP's "device cookies").
CREATE TABLE login_device (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES account(account_id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_device_account_idx ON login_device(account_id);
