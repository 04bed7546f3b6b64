-- 0001_core: tenants and their credentials, the one user store shared by every dialect, and
-- what hangs off a user (groups, workflows, roles, regions, one-time tokens, pins, tenant
-- memberships, queued mail). utf8mb4 throughout; identifiers that are compared exactly use
-- a NO PAD binary collation so that 'a' and 'a ' are different values.

CREATE TABLE tenants (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  oid             CHAR(24) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  code            VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  name            VARCHAR(255) NOT NULL,
  parent_id       BIGINT UNSIGNED NULL,
  sk_tenant_id    CHAR(35) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  api_user_email  VARCHAR(254) NULL,
  base_url        VARCHAR(1024) NULL,
  mail_from       VARCHAR(254) NULL,
  pin_salt        CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  created_at      DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  UNIQUE KEY uq_tenants_oid (oid),
  UNIQUE KEY uq_tenants_code (code),
  UNIQUE KEY uq_tenants_sk (sk_tenant_id),
  KEY ix_tenants_parent (parent_id),
  CONSTRAINT fk_tenants_parent FOREIGN KEY (parent_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Groups: SOAJS group codes and Xtracta groups (integer ids) are the same thing.
CREATE TABLE `groups` (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  tenant_id   BIGINT UNSIGNED NOT NULL,
  code        VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
  name        VARCHAR(255) NOT NULL,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  UNIQUE KEY uq_groups_code (tenant_id, code),
  CONSTRAINT fk_groups_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci AUTO_INCREMENT=100;

-- Credentials: only the SHA-256 of each secret is kept (hex). public_id is the non-secret half
-- where a dialect has one (ServicePower customerid). scopes is a space-separated list.
-- For kind 'sp_jwt' the stored value is SHA-256 of a secret longer than 64 bytes, which is by
-- RFC 2104 the HMAC key itself: see lib/codec/jwt.c.
CREATE TABLE credentials (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  tenant_id    BIGINT UNSIGNED NOT NULL,
  kind         ENUM('skedulo_token','sp_customer','sp_jwt','soajs_key','xtracta_key') NOT NULL,
  public_id    VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  secret_hash  CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  scopes       VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  group_id     BIGINT UNSIGNED NULL,
  created_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  revoked_at   DATETIME(6) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_credentials_secret (kind, secret_hash),
  UNIQUE KEY uq_credentials_public (kind, public_id),
  KEY ix_credentials_tenant (tenant_id),
  CONSTRAINT fk_credentials_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
  CONSTRAINT fk_credentials_group FOREIGN KEY (group_id) REFERENCES `groups` (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Users: one store for every dialect. email is stored trimmed and as given; email_norm is its
-- lower-case form and decides uniqueness per tenant. username is unique per tenant where given
-- (SOAJS username, ServicePower UserID). oid is the public string id (SOAJS id, Skedulo id);
-- id is the integer id (Xtracta user_id).
CREATE TABLE users (
  id                BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  oid               CHAR(24) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  tenant_id         BIGINT UNSIGNED NOT NULL,
  username          VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL,
  email             VARCHAR(254) NOT NULL,
  email_norm        VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin
                    AS (LOWER(email)) STORED,
  first_name        VARCHAR(255) NULL,
  last_name         VARCHAR(255) NULL,
  full_name         VARCHAR(255) NULL,
  password_hash     VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NULL,
  status            ENUM('active','inactive','pendingNew') NOT NULL DEFAULT 'pendingNew',
  locked            TINYINT(1) NOT NULL DEFAULT 0,
  profile           LONGTEXT NULL CHECK (profile IS NULL OR JSON_VALID(profile)),
  primary_group_id  BIGINT UNSIGNED NULL,
  origin            ENUM('soajs','xtracta','skedulo','servicepower','admin') NOT NULL,
  created_at        DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at        DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  UNIQUE KEY uq_users_oid (oid),
  UNIQUE KEY uq_users_email (tenant_id, email_norm),
  UNIQUE KEY uq_users_username (tenant_id, username),
  CONSTRAINT fk_users_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
  CONSTRAINT fk_users_group FOREIGN KEY (primary_group_id) REFERENCES `groups` (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci AUTO_INCREMENT=1000;

CREATE TABLE user_groups (
  user_id     BIGINT UNSIGNED NOT NULL,
  group_id    BIGINT UNSIGNED NOT NULL,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (user_id, group_id),
  KEY ix_user_groups_group (group_id),
  CONSTRAINT fk_user_groups_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT fk_user_groups_group FOREIGN KEY (group_id) REFERENCES `groups` (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE workflows (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  tenant_id   BIGINT UNSIGNED NOT NULL,
  name        VARCHAR(255) NOT NULL,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  KEY ix_workflows_tenant (tenant_id),
  CONSTRAINT fk_workflows_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci AUTO_INCREMENT=500;

CREATE TABLE user_workflows (
  user_id      BIGINT UNSIGNED NOT NULL,
  workflow_id  BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (user_id, workflow_id),
  KEY ix_user_workflows_workflow (workflow_id),
  CONSTRAINT fk_user_workflows_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT fk_user_workflows_wf FOREIGN KEY (workflow_id) REFERENCES workflows (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Roles: Administrator, Scheduler and Resource are built in (tenant_id NULL, every tenant has
-- them); a tenant adds custom roles. ServicePower role ids are role names or uuids of these.
CREATE TABLE roles (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  uuid        CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  tenant_id   BIGINT UNSIGNED NULL,
  name        VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
  scope       BIGINT UNSIGNED AS (IFNULL(tenant_id, 0)) STORED,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  UNIQUE KEY uq_roles_uuid (uuid),
  UNIQUE KEY uq_roles_name (scope, name),
  CONSTRAINT fk_roles_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO roles (uuid, tenant_id, name) VALUES
  ('6a3f2c1e-0b7d-4e59-9a51-2f0d8c4b7e01', NULL, 'Administrator'),
  ('6a3f2c1e-0b7d-4e59-9a51-2f0d8c4b7e02', NULL, 'Scheduler'),
  ('6a3f2c1e-0b7d-4e59-9a51-2f0d8c4b7e03', NULL, 'Resource');

CREATE TABLE user_roles (
  user_id  BIGINT UNSIGNED NOT NULL,
  role_id  BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (user_id, role_id),
  KEY ix_user_roles_role (role_id),
  CONSTRAINT fk_user_roles_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT fk_user_roles_role FOREIGN KEY (role_id) REFERENCES roles (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Skedulo regions (string ids).
CREATE TABLE regions (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  uuid        CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  tenant_id   BIGINT UNSIGNED NOT NULL,
  name        VARCHAR(255) NOT NULL,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  UNIQUE KEY uq_regions_uuid (uuid),
  KEY ix_regions_tenant (tenant_id),
  CONSTRAINT fk_regions_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE user_regions (
  user_id    BIGINT UNSIGNED NOT NULL,
  region_id  BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (user_id, region_id),
  KEY ix_user_regions_region (region_id),
  CONSTRAINT fk_user_regions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT fk_user_regions_region FOREIGN KEY (region_id) REFERENCES regions (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One-time tokens: set-password links (SOAJS addUser, invitations) and Xtracta login tokens.
-- Only the SHA-256 of the token is kept; used_at spends it.
CREATE TABLE user_tokens (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  user_id     BIGINT UNSIGNED NOT NULL,
  purpose     ENUM('set_password','login') NOT NULL,
  token_hash  CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  expires_at  DATETIME(6) NOT NULL,
  used_at     DATETIME(6) NULL,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  UNIQUE KEY uq_user_tokens_hash (token_hash),
  KEY ix_user_tokens_user (user_id),
  CONSTRAINT fk_user_tokens_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Membership of a user in a tenant other than its home tenant (SOAJS invite into sub-tenants).
CREATE TABLE memberships (
  user_id     BIGINT UNSIGNED NOT NULL,
  tenant_id   BIGINT UNSIGNED NOT NULL,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (user_id, tenant_id),
  KEY ix_memberships_tenant (tenant_id),
  CONSTRAINT fk_memberships_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT fk_memberships_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Login pins per (user, tenant). pin_hash is HMAC-SHA256(tenants.pin_salt, pin) in hex, so a
-- tenant's pins are unique without storing them. allowed is the pin's "allowed" flag.
CREATE TABLE pins (
  user_id     BIGINT UNSIGNED NOT NULL,
  tenant_id   BIGINT UNSIGNED NOT NULL,
  pin_hash    CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  allowed     TINYINT(1) NOT NULL,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (user_id, tenant_id),
  UNIQUE KEY uq_pins_tenant_pin (tenant_id, pin_hash),
  CONSTRAINT fk_pins_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT fk_pins_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Mail written in the same transaction as the user it concerns, delivered later (docs/CONTRACT.md
-- section 8). has_secret marks bodies holding a pin or password, blanked once sent.
CREATE TABLE mail_outbox (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  tenant_id        BIGINT UNSIGNED NOT NULL,
  user_id          BIGINT UNSIGNED NULL,
  kind             VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  recipient        VARCHAR(254) NOT NULL,
  subject          VARCHAR(255) NOT NULL,
  body             MEDIUMTEXT NOT NULL,
  has_secret       TINYINT(1) NOT NULL DEFAULT 0,
  status           ENUM('pending','sent','dead') NOT NULL DEFAULT 'pending',
  attempts         INT UNSIGNED NOT NULL DEFAULT 0,
  next_attempt_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  last_error       VARCHAR(255) NULL,
  created_at       DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  sent_at          DATETIME(6) NULL,
  PRIMARY KEY (id),
  KEY ix_mail_outbox_due (status, next_attempt_at),
  KEY ix_mail_outbox_user (user_id),
  CONSTRAINT fk_mail_outbox_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
  CONSTRAINT fk_mail_outbox_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
