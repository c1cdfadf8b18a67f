-- Which node held the socket of a stay: when a node dies, a surviving node closes that node's open stays at
-- its last heartbeat instead of leaving them open forever.
ALTER TABLE attendance ADD COLUMN node_id TEXT;
CREATE INDEX attendance_open_by_node ON attendance (node_id) WHERE left_at IS NULL;

-- An organizer's retry of an announcement with the same Idempotency-Key publishes it once.
ALTER TABLE announcements ADD COLUMN idempotency_key TEXT;
ALTER TABLE announcements ADD COLUMN fingerprint TEXT;
CREATE UNIQUE INDEX announcements_idempotency ON announcements (event_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
-- A reset's snapshot: the latest published announcements of a topic up to a sequence number.
CREATE INDEX announcements_by_topic_sequence ON announcements (topic, sequence DESC) WHERE sequence IS NOT NULL;
