-- 0012_cluster: what mail delivery needs to be correct on a Galera cluster (lib/outbox.c).
--
-- claimed_by: the deliverer that holds the row. A claim is an UPDATE of the row (claimed_by,
-- and next_attempt_at moved past the time the send may take), committed before the mail
-- command runs and checked by its affected rows; marking it sent, retried or dead afterwards
-- names the same deliverer. Row locks held across the command would be local to one node.
--
-- message_key: 128 random bits drawn once per row, the left part of the mail's Message-ID
-- (m.<message_key>@domain), so a mail sent again after a crash between sending and marking
-- carries the Message-ID of the first send and a receiver can recognise it. Random, not the
-- row id: ids are a sequence shared by every tenant (docs/SECURITY.md, "Hardening II").
-- The existing rows get theirs by an UPDATE (replicated row by row, so every node of a cluster
-- holds the same value); an ALTER's own default would be drawn on each node apart.
ALTER TABLE mail_outbox
  ADD COLUMN claimed_by VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER attempts,
  ADD COLUMN message_key CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER claimed_by;
UPDATE mail_outbox SET message_key = LOWER(HEX(RANDOM_BYTES(16))) WHERE message_key IS NULL;
ALTER TABLE mail_outbox
  MODIFY message_key CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL
    DEFAULT (LOWER(HEX(RANDOM_BYTES(16))));
