-- 0011_credential_rotation: every credential can be rotated (a new secret replaces an old one,
-- which keeps working for a grace period) and revoked (lib/core/credentials.c, provctl credential).
--
-- expires_at: the moment a rotated-away credential stops working (NULL: until revoked). A
-- credential is live while revoked_at IS NULL AND (expires_at IS NULL OR expires_at > NOW(6)).
-- replaces: the id of the credential this one was issued to replace (NULL: issued with the
-- tenant or by "provctl credential create"). Informational, so no foreign key: deleting a
-- tenant cascades to its credentials in any order.
--
-- A rotated ServicePower credential keeps its customerid (public_id), so (kind, public_id) is
-- no longer unique. What must stay unique is the customerid across tenants: first_public_id is
-- the public_id of credentials that replace nothing (the ones tenant_create makes, never
-- deleted) and NULL otherwise, and its unique key refuses a new tenant whose customerid any
-- tenant already has. A replacement copies its public_id from a credential of the same tenant,
-- so every row with a given (kind, public_id) belongs to one tenant. Existing rows all replace
-- nothing, so the new key holds exactly what the old one held.
ALTER TABLE credentials
  ADD COLUMN expires_at DATETIME(6) NULL AFTER revoked_at,
  ADD COLUMN replaces BIGINT UNSIGNED NULL AFTER expires_at,
  ADD COLUMN first_public_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin
    AS (IF(replaces IS NULL, public_id, NULL)) STORED,
  DROP KEY uq_credentials_public,
  ADD UNIQUE KEY uq_credentials_first_public (kind, first_public_id),
  ADD KEY ix_credentials_public (kind, public_id);
