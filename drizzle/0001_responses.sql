-- Tool calls as messages of a conversation, and the Responses API's stored responses.
-- A stored response is one turn of a TextLLM conversation: its row keeps the response object and
-- the input items as the client sent them (for GET /v1/responses/{id} and its input_items).
ALTER TABLE messages ADD COLUMN tool_calls JSONB;
--> statement-breakpoint
ALTER TABLE messages ADD COLUMN tool_call_id VARCHAR(255);
--> statement-breakpoint
CREATE TABLE responses (
    id VARCHAR(255) PRIMARY KEY,
    user_id VARCHAR(255) NOT NULL,
    conversation_id VARCHAR(255) NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    body JSONB NOT NULL,
    input_items JSONB NOT NULL DEFAULT '[]',
    created_at TIMESTAMPTZ NOT NULL
);
--> statement-breakpoint
CREATE INDEX idx_responses_conversation ON responses(conversation_id);
