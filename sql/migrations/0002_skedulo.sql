-- 0002_skedulo: what Skedulo provisioning (seed 000) adds to the one user store: the
-- "managed" flag of a user, resources (the schedulable side of a user, with its custom fields
-- as a JSON object), and background tasks (bulk imports) with one item per submitted user.

-- A managed user's identity (email) is owned by an external system and cannot be changed
-- through the API.
ALTER TABLE users ADD COLUMN managed TINYINT(1) NOT NULL DEFAULT 0 AFTER locked;

-- At most one resource per user. custom_fields holds the tenant's own fields verbatim.
CREATE TABLE resources (
  user_id            BIGINT UNSIGNED NOT NULL,
  primary_region_id  BIGINT UNSIGNED NOT NULL,
  is_active          TINYINT(1) NOT NULL,
  resource_type      VARCHAR(255) NULL,
  employment_type    VARCHAR(255) NULL,
  category           VARCHAR(255) NULL,
  home_address       VARCHAR(1024) NULL,
  mobile_phone       VARCHAR(32) NULL,
  country_code       CHAR(2) CHARACTER SET ascii COLLATE ascii_bin NULL,
  notification_type  ENUM('sms','push') NULL,
  working_hour_type  ENUM('Availability','Shift') NULL,
  geo_latitude       DOUBLE NULL,
  geo_longitude      DOUBLE NULL,
  custom_fields      LONGTEXT NULL CHECK (custom_fields IS NULL OR JSON_VALID(custom_fields)),
  created_at         DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at         DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
                     ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (user_id),
  KEY ix_resources_region (primary_region_id),
  CONSTRAINT fk_resources_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT fk_resources_region FOREIGN KEY (primary_region_id) REFERENCES regions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Background tasks. A worker owns a task while worker_id names it and last_checked_in_at (its
-- heartbeat) is fresh; a task whose heartbeat is older than tasks.stale_seconds is claimed by
-- the next worker. beats makes every heartbeat a real change of the row.
CREATE TABLE tasks (
  id                  BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  tenant_id           BIGINT UNSIGNED NOT NULL,
  type                VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  total               INT UNSIGNED NOT NULL,
  worker_id           VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  beats               BIGINT UNSIGNED NOT NULL DEFAULT 0,
  created_at          DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  last_checked_in_at  DATETIME(6) NULL,
  completed_at        DATETIME(6) NULL,
  success             TINYINT(1) NOT NULL DEFAULT 0,
  error_msg           VARCHAR(1024) NULL,
  PRIMARY KEY (id),
  KEY ix_tasks_open (completed_at, last_checked_in_at),
  KEY ix_tasks_tenant (tenant_id),
  CONSTRAINT fk_tasks_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per submitted user, in submission order (seq). spec is the user as submitted (JSON
-- text, decoded by the task type's handler); email/first_name/last_name are copies for the
-- status answer. An item is done in the same transaction that creates its user.
CREATE TABLE task_items (
  task_id     BIGINT UNSIGNED NOT NULL,
  seq         INT UNSIGNED NOT NULL,
  email       TEXT NULL,
  first_name  TEXT NULL,
  last_name   TEXT NULL,
  spec        LONGTEXT NOT NULL,
  done        TINYINT(1) NOT NULL DEFAULT 0,
  success     TINYINT(1) NOT NULL DEFAULT 0,
  error_msg   VARCHAR(1024) NULL,
  user_oid    CHAR(24) CHARACTER SET ascii COLLATE ascii_bin NULL,
  PRIMARY KEY (task_id, seq),
  KEY ix_task_items_todo (task_id, done, seq),
  CONSTRAINT fk_task_items_task FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
