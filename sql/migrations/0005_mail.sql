-- 0005_mail: mail delivery and the set-password page (issue 5).
-- recipient_name: the display name of the To header (encoded by the deliverer, never trusted).
-- request_id: the request that queued the mail, so that mail.after_response delivers exactly
-- that request's mail after its response (and log lines can be matched to the mail).
ALTER TABLE mail_outbox
  ADD COLUMN recipient_name VARCHAR(255) NULL AFTER recipient,
  ADD COLUMN request_id CHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER has_secret,
  ADD KEY ix_mail_outbox_request (request_id, status);

-- Per-tenant overrides of the built-in templates (docs/MAIL.md lists kinds and placeholders).
-- A NULL subject or body keeps the built-in text for that part.
CREATE TABLE mail_templates (
  tenant_id   BIGINT UNSIGNED NOT NULL,
  kind        VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  subject     VARCHAR(255) NULL,
  body        MEDIUMTEXT NULL,
  updated_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (tenant_id, kind),
  CONSTRAINT fk_mail_templates_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
