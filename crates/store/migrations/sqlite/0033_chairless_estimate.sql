-- PostgreSQL only (statistics on the pair type, has_chair for the to-do page's
-- "CĐCS without a chair"): SQLite names its index in the query (INDEXED BY).
SELECT 1;
