-- 0013_credential_kinds: the kinds of credential a tenant has become data. tenant_create
-- (lib/core/tenants.c) makes one credential per row of credential_kinds, in the order of
-- position, and provctl prints each where its labels say; neither names a kind. A dialect
-- names the kind it authenticates with (credentials.kind), and the foreign key below makes
-- every stored credential one of these kinds (until now an ENUM of the same five names).
--
--   public_id     'none': the credential has no public half; 'tenant_number': the tenant's
--                 customer number (9 decimal digits, never starting with 0), drawn once per
--                 tenant and shared by every kind that shows one (ServicePower's customerid).
--   secret_form   'token': base64url of secret_bytes random bytes; 'hex': lowercase hex of
--                 them. A secret is never longer than 127 characters (the CHECK below).
--   scopes        the scopes a credential of the kind gets when the tenant is created.
--   default_group 1: bound to the tenant's default group (a key scoped to one group).
--   label         the JSON object provctl prints the credential in ("tenant create",
--                 "credential rotate"); secret_label the secret's field in it; public_label,
--                 ref_label (the tenant's reference, tenants.sk_tenant_id), scopes_label and
--                 group_label the fields of the other values shown with it (NULL: not shown).
CREATE TABLE credential_kinds (
  kind           VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  position       SMALLINT UNSIGNED NOT NULL,
  public_id      ENUM('none','tenant_number') NOT NULL DEFAULT 'none',
  secret_form    ENUM('token','hex') NOT NULL,
  secret_bytes   TINYINT UNSIGNED NOT NULL,
  scopes         VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  default_group  TINYINT(1) NOT NULL DEFAULT 0,
  label          VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  secret_label   VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  public_label   VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ref_label      VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,
  scopes_label   VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,
  group_label    VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,
  PRIMARY KEY (kind),
  UNIQUE KEY uq_credential_kinds_position (position),
  CONSTRAINT ck_credential_kinds_secret CHECK (secret_bytes >= 16 AND
    ((secret_form = 'token' AND secret_bytes <= 93) OR (secret_form = 'hex' AND secret_bytes <= 63)))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The five kinds, made exactly as before this migration. sp_jwt's secret is longer than 64
-- bytes, so its stored SHA-256 is by RFC 2104 the HMAC key itself (lib/core/auth_jwt.c).
INSERT INTO credential_kinds (kind, position, public_id, secret_form, secret_bytes, scopes,
    default_group, label, secret_label, public_label, ref_label, scopes_label, group_label)
VALUES
  ('skedulo_token', 1, 'none', 'token', 32, 'users:read users:write', 0,
   'skedulo', 'token', NULL, 'tenantId', 'scopes', NULL),
  ('sp_customer', 2, 'tenant_number', 'token', 24, '', 0,
   'servicepower', 'customercode', 'customerid', NULL, NULL, NULL),
  ('sp_jwt', 3, 'tenant_number', 'token', 66, '', 0,
   'servicepower', 'jwtSecret', 'customerid', NULL, NULL, NULL),
  ('soajs_key', 4, 'none', 'hex', 32, '', 0,
   'soajs', 'key', NULL, NULL, NULL, NULL),
  ('xtracta_key', 5, 'none', 'hex', 32, '', 1,
   'xtracta', 'api_key', NULL, NULL, NULL, 'group_id');

ALTER TABLE credentials
  MODIFY kind VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  ADD CONSTRAINT fk_credentials_kind FOREIGN KEY (kind) REFERENCES credential_kinds (kind);
