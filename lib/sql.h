/* sql.h: every SQL statement the service runs, in one enum-indexed table (X-macro: the name
 * becomes SQL_<NAME>, the text is prepared once per connection by db.c). Values are always
 * bound with '?'; nothing is ever spliced into these texts. Lists of values are passed as one
 * JSON array parameter and expanded with JSON_TABLE, so a statement's text never varies.
 * Append new statements at the end of their section. */
#ifndef PROV_SQL_H
#define PROV_SQL_H

/* Column lists shared by statements that fill the same struct. */
#define SQL_TENANT_COLS \
    "t.id, t.oid, t.code, t.name, t.parent_id, t.sk_tenant_id, t.api_user_email, " \
    "t.base_url, t.mail_from, t.pin_salt, p.oid "

#define SQL_JSON_CODES \
    "JSON_TABLE(?, '$[*]' COLUMNS (code VARCHAR(64) CHARACTER SET utf8mb4 " \
    "COLLATE utf8mb4_nopad_bin PATH '$' ERROR ON ERROR)) AS j"
#define SQL_JSON_IDS \
    "JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT UNSIGNED PATH '$' ERROR ON ERROR)) AS j"

#define SQL_STATEMENTS(X) \
    /* ---- schema migrations (the table itself is created by migrate.c) ---- */ \
    X(MIGRATE_LOCK, "SELECT GET_LOCK('provision_migrate', 60)") \
    X(MIGRATE_UNLOCK, "SELECT RELEASE_LOCK('provision_migrate')") \
    X(MIGRATE_DONE, "SELECT 1 FROM schema_migrations WHERE version = ?") \
    X(MIGRATE_RECORD, "INSERT INTO schema_migrations (version, name) VALUES (?, ?)") \
    /* ---- tenants and credentials ---- */ \
    X(TENANT_INSERT, \
      "INSERT INTO tenants (oid, code, name, parent_id, sk_tenant_id, api_user_email, pin_salt) " \
      "VALUES (?, ?, ?, ?, ?, ?, ?)") \
    X(TENANT_CODE_TAKEN, "SELECT 1 FROM tenants WHERE code = ?") \
    X(TENANT_BY_OID, \
      "SELECT " SQL_TENANT_COLS "FROM tenants t LEFT JOIN tenants p ON p.id = t.parent_id " \
      "WHERE t.oid = ?") \
    X(TENANT_BY_ID, \
      "SELECT " SQL_TENANT_COLS "FROM tenants t LEFT JOIN tenants p ON p.id = t.parent_id " \
      "WHERE t.id = ?") \
    X(TENANT_SET_API_USER, "UPDATE tenants SET api_user_email = ? WHERE id = ?") \
    X(TENANT_SET_MAIL, "UPDATE tenants SET base_url = ?, mail_from = ? WHERE id = ?") \
    X(CRED_INSERT, \
      "INSERT INTO credentials (tenant_id, kind, public_id, secret_hash, scopes, group_id) " \
      "VALUES (?, ?, ?, ?, ?, ?)") \
    X(CRED_BY_SECRET, \
      "SELECT tenant_id, secret_hash, scopes, group_id FROM credentials " \
      "WHERE kind = ? AND secret_hash = ? AND revoked_at IS NULL") \
    X(CRED_BY_PUBLIC, \
      "SELECT tenant_id, secret_hash, scopes, group_id FROM credentials " \
      "WHERE kind = ? AND public_id = ? AND revoked_at IS NULL") \
    X(CRED_TENANT_BY_SECRET, \
      "SELECT c.secret_hash, c.scopes, c.group_id, " SQL_TENANT_COLS \
      "FROM credentials c JOIN tenants t ON t.id = c.tenant_id " \
      "LEFT JOIN tenants p ON p.id = t.parent_id " \
      "WHERE c.kind = ? AND c.secret_hash = ? AND c.revoked_at IS NULL") \
    X(CRED_TENANT_BY_PUBLIC, \
      "SELECT c.secret_hash, c.scopes, c.group_id, " SQL_TENANT_COLS \
      "FROM credentials c JOIN tenants t ON t.id = c.tenant_id " \
      "LEFT JOIN tenants p ON p.id = t.parent_id " \
      "WHERE c.kind = ? AND c.public_id = ? AND c.revoked_at IS NULL") \
    X(CRED_REVOKE, \
      "UPDATE credentials SET revoked_at = NOW(6) " \
      "WHERE kind = ? AND secret_hash = ? AND revoked_at IS NULL") \
    /* ---- catalogue: groups, workflows, regions, roles ---- */ \
    X(GROUP_INSERT, "INSERT INTO `groups` (tenant_id, code, name) VALUES (?, ?, ?)") \
    X(GROUP_IN_TENANT, "SELECT id, code FROM `groups` WHERE id = ? AND tenant_id = ?") \
    X(GROUPS_BY_CODES, \
      "SELECT g.id, g.code FROM `groups` g JOIN " SQL_JSON_CODES " ON g.code = j.code " \
      "WHERE g.tenant_id = ?") \
    X(WORKFLOW_INSERT, "INSERT INTO workflows (tenant_id, name) VALUES (?, ?)") \
    X(WORKFLOWS_BY_IDS, \
      "SELECT w.id FROM workflows w JOIN " SQL_JSON_IDS " ON w.id = j.id " \
      "WHERE w.tenant_id = ? ORDER BY w.id") \
    X(REGION_INSERT, "INSERT INTO regions (uuid, tenant_id, name) VALUES (?, ?, ?)") \
    X(ROLE_INSERT, "INSERT INTO roles (uuid, tenant_id, name) VALUES (?, ?, ?)") \
    X(ROLE_BUILTIN, "SELECT 1 FROM roles WHERE tenant_id IS NULL AND name = ?") \
    /* ---- users ---- */ \
    X(USER_INSERT, \
      "INSERT INTO users (oid, tenant_id, username, email, first_name, last_name, full_name, " \
      "password_hash, status, profile, primary_group_id, origin) " \
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)") \
    X(USER_CONFLICT, \
      "SELECT IFNULL(username = ?, 0), email_norm = LOWER(?) FROM users " \
      "WHERE tenant_id = ? AND (username = ? OR email_norm = LOWER(?)) LIMIT 1") \
    X(USER_GROUPS_ADD, \
      "INSERT INTO user_groups (user_id, group_id) SELECT ?, g.id FROM `groups` g JOIN " \
      SQL_JSON_CODES " ON g.code = j.code WHERE g.tenant_id = ?") \
    X(USER_GROUP_ADD, "INSERT INTO user_groups (user_id, group_id) VALUES (?, ?)") \
    X(USER_WORKFLOWS_ADD, \
      "INSERT INTO user_workflows (user_id, workflow_id) SELECT ?, w.id FROM workflows w JOIN " \
      SQL_JSON_IDS " ON w.id = j.id WHERE w.tenant_id = ?") \
    X(USER_BY_OID, \
      "SELECT id, oid, tenant_id, username, email, first_name, last_name, full_name, status " \
      "FROM users WHERE oid = ?") \
    X(USER_PASSWORD_HASH, "SELECT password_hash, status FROM users WHERE id = ?") \
    /* ---- one-time tokens, pins, mail ---- */ \
    X(TOKEN_INSERT, \
      "INSERT INTO user_tokens (user_id, purpose, token_hash, expires_at) " \
      "VALUES (?, ?, ?, FROM_UNIXTIME(?))") \
    X(PIN_INSERT, \
      "INSERT INTO pins (user_id, tenant_id, pin_hash, allowed) VALUES (?, ?, ?, ?)") \
    /* ---- Skedulo provisioning, bulk tasks and task status (keep this section's lines ---- */ \
    /* ---- together; each feature appends inside its own section) ---- */ \
    /* ---- ServicePower bulk ---- */ \
    /* lib/users_batch.c: one statement per step whatever the batch size; each list is one */ \
    /* JSON parameter. STRAIGHT_JOIN + FORCE INDEX keep the plan "each JSON row -> one index */ \
    /* lookup" (a scan of the tenant's users would also lock them all). */ \
    X(BATCH_ROLES, \
      "SELECT j.ref, r.id FROM JSON_TABLE(?, '$[*]' COLUMNS (ref VARCHAR(128) CHARACTER SET " \
      "utf8mb4 COLLATE utf8mb4_nopad_bin PATH '$' ERROR ON ERROR)) AS j " \
      "JOIN roles r ON r.name = j.ref OR r.uuid = j.ref " \
      "WHERE r.tenant_id IS NULL OR r.tenant_id = ? ORDER BY r.tenant_id IS NULL, r.id") \
    X(BATCH_LOCK, \
      "SELECT u.username, u.id, u.email, u.first_name FROM JSON_TABLE(?, '$[*]' COLUMNS " \
      "(name VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin PATH '$' " \
      "ERROR ON ERROR)) AS j STRAIGHT_JOIN users u FORCE INDEX (uq_users_username) " \
      "ON u.tenant_id = ? AND u.username = j.name FOR UPDATE") \
    X(BATCH_EMAIL_OWNERS, \
      "SELECT j.email, u.username FROM JSON_TABLE(?, '$[*]' COLUMNS (email VARCHAR(254) " \
      "CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin PATH '$' ERROR ON ERROR)) AS j " \
      "STRAIGHT_JOIN users u FORCE INDEX (uq_users_email) " \
      "ON u.tenant_id = ? AND u.email_norm = j.email") \
    X(BATCH_DELETE, \
      "DELETE u FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT UNSIGNED PATH '$' ERROR ON ERROR)) " \
      "AS j STRAIGHT_JOIN users u FORCE INDEX (PRIMARY) ON u.id = j.id WHERE u.tenant_id = ?") \
    X(BATCH_UPDATE, \
      "UPDATE JSON_TABLE(?, '$[*]' COLUMNS (" \
      "id BIGINT UNSIGNED PATH '$.id' ERROR ON ERROR, " \
      "email VARCHAR(254) CHARACTER SET utf8mb4 PATH '$.email', " \
      "first_name VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.first_name', " \
      "last_name VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.last_name', " \
      "password_hash VARCHAR(255) CHARACTER SET ascii PATH '$.password_hash', " \
      "status VARCHAR(16) CHARACTER SET ascii PATH '$.status', " \
      "locked TINYINT PATH '$.locked')) AS j " \
      "STRAIGHT_JOIN users u FORCE INDEX (PRIMARY) ON u.id = j.id " \
      "SET u.email = COALESCE(j.email, u.email), " \
      "u.first_name = COALESCE(j.first_name, u.first_name), " \
      "u.last_name = COALESCE(j.last_name, u.last_name), " \
      "u.password_hash = COALESCE(j.password_hash, u.password_hash), " \
      "u.status = COALESCE(j.status, u.status), u.locked = COALESCE(j.locked, u.locked) " \
      "WHERE u.tenant_id = ?") \
    X(BATCH_INSERT, \
      "INSERT INTO users (oid, tenant_id, username, email, first_name, last_name, " \
      "password_hash, status, locked, origin) " \
      "SELECT j.oid, ?, j.username, j.email, j.first_name, j.last_name, j.password_hash, " \
      "j.status, j.locked, ? FROM JSON_TABLE(?, '$[*]' COLUMNS (" \
      "oid CHAR(24) CHARACTER SET ascii PATH '$.oid' ERROR ON ERROR, " \
      "username VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.username' ERROR ON ERROR, " \
      "email VARCHAR(254) CHARACTER SET utf8mb4 PATH '$.email' ERROR ON ERROR, " \
      "first_name VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.first_name', " \
      "last_name VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.last_name', " \
      "password_hash VARCHAR(255) CHARACTER SET ascii PATH '$.password_hash', " \
      "status VARCHAR(16) CHARACTER SET ascii PATH '$.status' ERROR ON ERROR, " \
      "locked TINYINT PATH '$.locked' ERROR ON ERROR)) AS j") \
    X(BATCH_ROLES_CLEAR, \
      "DELETE ur FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT UNSIGNED PATH '$' " \
      "ERROR ON ERROR)) AS j STRAIGHT_JOIN user_roles ur ON ur.user_id = j.id") \
    X(BATCH_ROLES_ADD, \
      "INSERT INTO user_roles (user_id, role_id) SELECT j.u, j.r FROM JSON_TABLE(?, '$[*]' " \
      "COLUMNS (u BIGINT UNSIGNED PATH '$[0]' ERROR ON ERROR, " \
      "r BIGINT UNSIGNED PATH '$[1]' ERROR ON ERROR)) AS j") \
    X(BATCH_PHONES_CLEAR, \
      "DELETE p FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT UNSIGNED PATH '$' " \
      "ERROR ON ERROR)) AS j STRAIGHT_JOIN user_phones p ON p.user_id = j.id") \
    X(BATCH_PHONES_ADD, \
      "INSERT INTO user_phones (user_id, position, number, type) " \
      "SELECT j.u, j.pos, j.num, j.typ FROM JSON_TABLE(?, '$[*]' COLUMNS (" \
      "u BIGINT UNSIGNED PATH '$[0]' ERROR ON ERROR, " \
      "pos SMALLINT UNSIGNED PATH '$[1]' ERROR ON ERROR, " \
      "num VARCHAR(32) CHARACTER SET ascii PATH '$[2]' ERROR ON ERROR, " \
      "typ VARCHAR(32) CHARACTER SET utf8mb4 PATH '$[3]')) AS j") \
    X(BATCH_ATTRS_UPSERT, \
      "INSERT INTO user_attributes (user_id, language_code, mobile_worker, " \
      "dispatch_group_id, service_team_id, storage_location_id, sms_enabled, " \
      "facetime_enabled, work_status, extensions) " \
      "SELECT j.u, j.lang, j.mw, j.dg, j.st, j.sl, j.sms, j.ft, j.ws, j.ext " \
      "FROM JSON_TABLE(?, '$[*]' COLUMNS (" \
      "u BIGINT UNSIGNED PATH '$.u' ERROR ON ERROR, " \
      "lang VARCHAR(35) CHARACTER SET ascii PATH '$.lang', mw TINYINT PATH '$.mw', " \
      "dg VARCHAR(64) CHARACTER SET utf8mb4 PATH '$.dg', " \
      "st VARCHAR(64) CHARACTER SET utf8mb4 PATH '$.st', " \
      "sl VARCHAR(64) CHARACTER SET utf8mb4 PATH '$.sl', " \
      "sms TINYINT PATH '$.sms', ft TINYINT PATH '$.ft', " \
      "ws VARCHAR(64) CHARACTER SET utf8mb4 PATH '$.ws', " \
      "ext LONGTEXT CHARACTER SET utf8mb4 PATH '$.ext')) AS j " \
      "ON DUPLICATE KEY UPDATE " \
      "language_code = COALESCE(VALUES(language_code), user_attributes.language_code), " \
      "mobile_worker = COALESCE(VALUES(mobile_worker), user_attributes.mobile_worker), " \
      "dispatch_group_id = " \
      "COALESCE(VALUES(dispatch_group_id), user_attributes.dispatch_group_id), " \
      "service_team_id = COALESCE(VALUES(service_team_id), user_attributes.service_team_id), " \
      "storage_location_id = " \
      "COALESCE(VALUES(storage_location_id), user_attributes.storage_location_id), " \
      "sms_enabled = COALESCE(VALUES(sms_enabled), user_attributes.sms_enabled), " \
      "facetime_enabled = COALESCE(VALUES(facetime_enabled), user_attributes.facetime_enabled), " \
      "work_status = COALESCE(VALUES(work_status), user_attributes.work_status), " \
      "extensions = COALESCE(VALUES(extensions), user_attributes.extensions)") \
    /* ---- SOAJS invite ---- */ \
    /* a user of main tenant ? or of one of its sub-tenants, by oid */ \
    X(INVITE_USER_BY_OID, \
      "SELECT u.id, u.oid, u.tenant_id, u.email, u.first_name, u.full_name FROM users u " \
      "JOIN tenants t ON t.id = u.tenant_id " \
      "WHERE u.oid = ? AND (t.id = ? OR t.parent_id = ?)") \
    /* the same by a login (username or email, either column matching); where several users \
     * of the tenancy match: the main tenant's own first, then the inviting tenant's, then \
     * the one matching in the column the value was given for, then the oldest */ \
    X(INVITE_USER_BY_LOGIN, \
      "SELECT u.id, u.oid, u.tenant_id, u.email, u.first_name, u.full_name FROM users u " \
      "JOIN tenants t ON t.id = u.tenant_id " \
      "WHERE (t.id = ? OR t.parent_id = ?) AND (u.username = ? OR u.email_norm = LOWER(?)) " \
      "ORDER BY u.tenant_id = ? DESC, u.tenant_id = ? DESC, " \
      "IF(?, u.email_norm = LOWER(?), IFNULL(u.username = ?, 0)) DESC, u.id LIMIT 1") \
    X(INVITE_MEMBERSHIP_ADD, "INSERT INTO memberships (user_id, tenant_id) VALUES (?, ?)") \
    /* ---- mail delivery and the set-password page ---- */ \
    X(MAIL_OUTBOX_INSERT, \
      "INSERT INTO mail_outbox (tenant_id, user_id, kind, recipient, recipient_name, subject, " \
      "body, has_secret, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)") \
    X(MAIL_TEMPLATE_GET, \
      "SELECT subject, body FROM mail_templates WHERE tenant_id = ? AND kind = ?") \
    X(MAIL_TEMPLATE_SET_SUBJECT, \
      "INSERT INTO mail_templates (tenant_id, kind, subject) VALUES (?, ?, ?) " \
      "ON DUPLICATE KEY UPDATE subject = VALUES(subject)") \
    X(MAIL_TEMPLATE_SET_BODY, \
      "INSERT INTO mail_templates (tenant_id, kind, body) VALUES (?, ?, ?) " \
      "ON DUPLICATE KEY UPDATE body = VALUES(body)") \
    X(MAIL_TEMPLATE_DELETE, "DELETE FROM mail_templates WHERE tenant_id = ? AND kind = ?") \
    /* one due mail, locked for this deliverer; rows another deliverer holds are skipped */ \
    X(OUTBOX_CLAIM, \
      "SELECT id, tenant_id, kind, recipient, recipient_name, subject, body, attempts " \
      "FROM mail_outbox WHERE status = 'pending' " \
      "AND next_attempt_at <= NOW(6) ORDER BY next_attempt_at, id LIMIT 1 " \
      "FOR UPDATE SKIP LOCKED") \
    X(OUTBOX_CLAIM_TENANT, \
      "SELECT id, tenant_id, kind, recipient, recipient_name, subject, body, attempts " \
      "FROM mail_outbox WHERE status = 'pending' " \
      "AND next_attempt_at <= NOW(6) AND tenant_id = ? ORDER BY next_attempt_at, id LIMIT 1 " \
      "FOR UPDATE SKIP LOCKED") \
    X(OUTBOX_CLAIM_REQUEST, \
      "SELECT id, tenant_id, kind, recipient, recipient_name, subject, body, attempts " \
      "FROM mail_outbox WHERE request_id = ? AND status = 'pending' " \
      "AND next_attempt_at <= NOW(6) ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED") \
    X(OUTBOX_MARK_SENT, \
      "UPDATE mail_outbox SET status = 'sent', sent_at = NOW(6), attempts = attempts + 1, " \
      "last_error = NULL, body = IF(has_secret, '', body) WHERE id = ?") \
    X(OUTBOX_MARK_RETRY, \
      "UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?, " \
      "next_attempt_at = NOW(6) + INTERVAL ? SECOND WHERE id = ?") \
    X(OUTBOX_MARK_DEAD, \
      "UPDATE mail_outbox SET status = 'dead', attempts = attempts + 1, last_error = ?, " \
      "body = IF(has_secret, '', body) WHERE id = ?") \
    X(SETPW_TOKEN_INFO, \
      "SELECT k.user_id, k.used_at IS NOT NULL, k.expires_at <= NOW(6), u.email, " \
      "COALESCE(u.first_name, u.full_name) FROM user_tokens k JOIN users u ON u.id = k.user_id " \
      "WHERE k.token_hash = ? AND k.purpose = 'set_password'") \
    X(SETPW_TOKEN_SPEND, \
      "UPDATE user_tokens SET used_at = NOW(6) WHERE token_hash = ? AND purpose = 'set_password' " \
      "AND used_at IS NULL AND expires_at > NOW(6)") \
    X(SETPW_USER_ACTIVATE, "UPDATE users SET password_hash = ?, status = 'active' WHERE id = ?") \
    X(SETPW_TOKENS_RETIRE, \
      "UPDATE user_tokens SET used_at = NOW(6) WHERE user_id = ? AND purpose = 'set_password' " \
      "AND used_at IS NULL") \
    /* ---- end of statements ---- */

enum sql_id {
#define SQL_ENUM(name, text) SQL_##name,
    SQL_STATEMENTS(SQL_ENUM)
#undef SQL_ENUM
    SQL_COUNT
};

/* The text of a statement (static storage). */
const char *sql_text(enum sql_id id);
/* The statement's name without the SQL_ prefix, for logs. */
const char *sql_name(enum sql_id id);

#endif
