-- Accounts managed in the browser: a password chosen by someone else must be changed
-- at the next login; who created an account is kept.
ALTER TABLE account ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE account ADD COLUMN created_by INTEGER REFERENCES account(account_id);
CREATE INDEX role_grant_unit_idx ON role_grant(unit_id);

-- API tokens get an id (to list and revoke them), an expiry, the time of last use and
-- of revocation; a name of 1–100 characters. Tokens issued before expire in 90 days.
CREATE TABLE api_token_new (
    token_id     INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash   TEXT NOT NULL UNIQUE,
    account_id   INTEGER NOT NULL REFERENCES account(account_id),
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
INSERT INTO api_token_new (token_hash, account_id, name, created_at, expires_at)
SELECT token_hash, account_id,
       CASE WHEN length(trim(name)) = 0 THEN 'token' ELSE substr(name, 1, 100) END,
       created_at, strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+90 days')
FROM api_token;
DROP TABLE api_token;
ALTER TABLE api_token_new RENAME TO api_token;
CREATE INDEX api_token_account_idx ON api_token(account_id, token_id);
