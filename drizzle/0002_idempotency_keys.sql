-- Idempotency-Key claims: the first request with a key claims it (a lease, renewed while it runs,
-- taken over when the replica holding it died), then stores its answer for the others to replay.
-- Times are epoch milliseconds, compared the same way on SQLite and Postgres.
CREATE TABLE idempotency_keys (
    user_id VARCHAR(255) NOT NULL,
    idem_key VARCHAR(255) NOT NULL,
    digest VARCHAR(64) NOT NULL,
    claim_token VARCHAR(64) NOT NULL,
    lease_until BIGINT NOT NULL,
    status_code INTEGER,
    answer JSONB,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
--> statement-breakpoint
CREATE INDEX idx_idempotency_keys_expires ON idempotency_keys(expires_at);
