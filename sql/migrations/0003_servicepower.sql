-- 0003_servicepower: what a batch-provisioned mobile worker carries beyond the core user row
-- (docs/CONTRACT.md sections 4 and 6). Names are the domain's, not a vendor's:
-- lib/core/users_batch.c writes these tables, lib/dialect/servicepower/servicepower*.c maps the
-- vendor's properties onto them.
--   users.username      <- UserID (the key, unique per tenant: uq_users_username)
--   users.status        <- Activated (true 'active', false 'inactive')
--   users.locked        <- Locked
--   user_roles          <- Roles (0001_core)
--   user_attributes     <- IsMobileWorker, LanguageCode, DGroupID, ServiceTeamID,
--                          StorageLocationID, SMS, FaceTime, Status, Extensions
--   user_phones         <- Phones [{PhoneNum, PhoneType}]
-- A NULL attribute was never given; an update that omits an attribute keeps the stored value.

CREATE TABLE user_attributes (
  user_id              BIGINT UNSIGNED NOT NULL,
  language_code        VARCHAR(35) CHARACTER SET ascii COLLATE ascii_bin NULL,
  mobile_worker        TINYINT(1) NULL,
  dispatch_group_id    VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL,
  service_team_id      VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL,
  storage_location_id  VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL,
  sms_enabled          TINYINT(1) NULL,
  facetime_enabled     TINYINT(1) NULL,
  work_status          VARCHAR(64) NULL,
  -- a free-form object the vendor defines as such (docs/CONTRACT.md section 4), kept as JSON text
  extensions           LONGTEXT NULL CHECK (extensions IS NULL OR JSON_VALID(extensions)),
  updated_at           DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
                       ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (user_id),
  CONSTRAINT fk_user_attributes_user FOREIGN KEY (user_id) REFERENCES users (id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A user's phone numbers in the order they were given; a new list replaces the old one.
CREATE TABLE user_phones (
  user_id     BIGINT UNSIGNED NOT NULL,
  position    SMALLINT UNSIGNED NOT NULL,
  number      VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  type        VARCHAR(32) NULL,
  PRIMARY KEY (user_id, position),
  CONSTRAINT fk_user_phones_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
