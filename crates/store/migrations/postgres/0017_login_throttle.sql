-- Failed logins per account ('u:<username>') and per address ('ip:<address>'): after a
-- few failures each further attempt waits a growing, bounded time (never a permanent
-- lockout). Kept in the database so that every app instance applies the same wait.
CREATE TABLE login_throttle (
    key           TEXT PRIMARY KEY,
    failures      BIGINT NOT NULL DEFAULT 0,
    blocked_until TIMESTAMPTZ,
    updated_at    TIMESTAMPTZ NOT NULL
);
