-- TextLLM schema, written once in the SQL that both SQLite and PostgreSQL accept.
-- Money columns hold integer micro-dollars (1 USD = 1,000,000): the seeds' DECIMAL(10,6) without floats.
-- Timestamps are written by the server as ISO-8601 UTC; JSON columns hold JSON text.
CREATE TABLE conversations (
    id VARCHAR(255) PRIMARY KEY,
    user_id VARCHAR(255) NOT NULL,
    session_id VARCHAR(255),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    last_used TIMESTAMPTZ NOT NULL,
    message_count INTEGER NOT NULL DEFAULT 0,
    total_tokens_input BIGINT NOT NULL DEFAULT 0,
    total_tokens_output BIGINT NOT NULL DEFAULT 0,
    total_cost BIGINT NOT NULL DEFAULT 0,
    image_urls JSONB NOT NULL DEFAULT '[]',
    last_image_url TEXT,
    tags JSONB NOT NULL DEFAULT '[]',
    title VARCHAR(500),
    summary TEXT,
    metadata JSONB NOT NULL DEFAULT '{}',
    model VARCHAR(255),
    is_deleted BOOLEAN NOT NULL DEFAULT FALSE
);
--> statement-breakpoint
CREATE INDEX idx_conversations_user_id ON conversations(user_id);
--> statement-breakpoint
CREATE INDEX idx_conversations_session_id ON conversations(session_id);
--> statement-breakpoint
CREATE INDEX idx_conversations_last_used ON conversations(last_used DESC);
--> statement-breakpoint
CREATE INDEX idx_conversations_user_last_used ON conversations(user_id, last_used DESC);
--> statement-breakpoint
CREATE TABLE sessions (
    id VARCHAR(255) PRIMARY KEY,
    user_id VARCHAR(255) NOT NULL,
    day VARCHAR(10) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_activity TIMESTAMPTZ NOT NULL,
    ended_at TIMESTAMPTZ,
    total_tokens BIGINT NOT NULL DEFAULT 0,
    total_tokens_input BIGINT NOT NULL DEFAULT 0,
    total_tokens_output BIGINT NOT NULL DEFAULT 0,
    total_cost BIGINT NOT NULL DEFAULT 0,
    request_count INTEGER NOT NULL DEFAULT 0,
    conversation_count INTEGER NOT NULL DEFAULT 0,
    is_active BOOLEAN NOT NULL DEFAULT TRUE
);
--> statement-breakpoint
CREATE INDEX idx_sessions_user_id ON sessions(user_id);
--> statement-breakpoint
CREATE INDEX idx_sessions_user_day ON sessions(user_id, day);
--> statement-breakpoint
CREATE UNIQUE INDEX uq_sessions_active_user_day ON sessions(user_id, day) WHERE is_active;
--> statement-breakpoint
CREATE TABLE messages (
    id VARCHAR(255) PRIMARY KEY,
    conversation_id VARCHAR(255) NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    user_id VARCHAR(255) NOT NULL,
    seq INTEGER NOT NULL,
    role VARCHAR(32) NOT NULL,
    content TEXT NOT NULL,
    attachments JSONB NOT NULL DEFAULT '[]',
    model VARCHAR(255),
    tokens_input BIGINT NOT NULL DEFAULT 0,
    tokens_output BIGINT NOT NULL DEFAULT 0,
    cost BIGINT NOT NULL DEFAULT 0,
    finish_reason VARCHAR(64),
    created_at TIMESTAMPTZ NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX uq_messages_conversation_seq ON messages(conversation_id, seq);
--> statement-breakpoint
CREATE INDEX idx_messages_user_created ON messages(user_id, created_at);
--> statement-breakpoint
CREATE TABLE files (
    key VARCHAR(1024) PRIMARY KEY,
    user_id VARCHAR(255) NOT NULL,
    folder VARCHAR(64) NOT NULL,
    filename VARCHAR(255) NOT NULL,
    content_type VARCHAR(255) NOT NULL,
    size BIGINT NOT NULL,
    backend VARCHAR(16) NOT NULL,
    conversation_id VARCHAR(255),
    created_at TIMESTAMPTZ NOT NULL
);
--> statement-breakpoint
CREATE INDEX idx_files_user_folder_created ON files(user_id, folder, created_at DESC);
--> statement-breakpoint
CREATE TABLE usage_records (
    id VARCHAR(255) PRIMARY KEY,
    request_id VARCHAR(255) NOT NULL,
    user_id VARCHAR(255) NOT NULL,
    session_id VARCHAR(255),
    conversation_id VARCHAR(255),
    route VARCHAR(64) NOT NULL,
    model VARCHAR(255) NOT NULL,
    provider VARCHAR(64),
    tokens_input BIGINT NOT NULL DEFAULT 0,
    tokens_output BIGINT NOT NULL DEFAULT 0,
    tokens_cached BIGINT NOT NULL DEFAULT 0,
    cost BIGINT NOT NULL DEFAULT 0,
    latency_ms INTEGER NOT NULL DEFAULT 0,
    status INTEGER NOT NULL,
    error_code VARCHAR(64),
    streamed BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL
);
--> statement-breakpoint
CREATE INDEX idx_usage_user_created ON usage_records(user_id, created_at);
--> statement-breakpoint
CREATE INDEX idx_usage_session ON usage_records(session_id);
