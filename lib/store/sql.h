/* sql.h: every SQL statement the service runs, in one enum-indexed table (X-macro: the name
 * becomes SQL_<NAME>, the text is prepared once per connection by db.c). Values are always
 * bound with '?'; nothing is ever spliced into these texts. Lists of values are passed as one
 * JSON array parameter and expanded with JSON_TABLE, so a statement's text never varies.
 * Append new statements at the end of their section. */
#ifndef PROV_SQL_H
#define PROV_SQL_H

/* Column lists shared by statements that fill the same struct. The last column says whether
 * the tenant has no mail template, so that queueing a mail needs no query of its own then. */
#define SQL_TENANT_COLS \
    "t.id, t.oid, t.code, t.name, t.parent_id, t.sk_tenant_id, t.api_user_email, " \
    "t.base_url, t.mail_from, t.pin_salt, p.oid, " \
    "NOT EXISTS (SELECT 1 FROM mail_templates m WHERE m.tenant_id = t.id) "

/* A credential (alias c) that is neither revoked nor past the end of its grace period. */
#define SQL_CRED_LIVE \
    "(c.revoked_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > NOW(6))) "
/* What lib/core/credentials.c reads of a credential: never its secret hash. */
#define SQL_CRED_COLS \
    "c.id, c.tenant_id, c.kind, c.public_id, c.scopes, c.group_id, c.replaces, " \
    "DATE_FORMAT(c.created_at, '%Y-%m-%dT%H:%i:%s.%fZ'), " \
    "DATE_FORMAT(c.expires_at, '%Y-%m-%dT%H:%i:%s.%fZ'), " \
    "DATE_FORMAT(c.revoked_at, '%Y-%m-%dT%H:%i:%s.%fZ'), " SQL_CRED_LIVE ", " \
    "(SELECT g.number FROM `groups` g WHERE g.id = c.group_id) "

/* What lib/core/cred_kinds.c reads of a kind of credential (credential_kinds). */
#define SQL_CRED_KIND_COLS \
    "kind, public_id, secret_form, secret_bytes, scopes, default_group, label, secret_label, " \
    "public_label, ref_label, scopes_label, group_label "

#define SQL_JSON_CODES \
    "JSON_TABLE(?, '$[*]' COLUMNS (code VARCHAR(64) CHARACTER SET utf8mb4 " \
    "COLLATE utf8mb4_nopad_bin PATH '$' ERROR ON ERROR)) AS j"
#define SQL_JSON_IDS \
    "JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT UNSIGNED PATH '$' ERROR ON ERROR)) AS j"

#define SQL_STATEMENTS(X) \
    /* ---- schema migrations (the table itself is created by migrate.c) ---- */ \
    /* the migration lock: a lease on the one row of schema_migrate_lock, taken (or renewed */ \
    /* by its holder) by a certified write, so it holds across the nodes of a Galera cluster */ \
    /* where GET_LOCK is local to one node */ \
    X(MIGRATE_LOCK, \
      "UPDATE schema_migrate_lock SET holder = ?, until = NOW(6) + INTERVAL ? SECOND " \
      "WHERE id = 1 AND (holder IS NULL OR holder = ? OR until < NOW(6))") \
    X(MIGRATE_UNLOCK, \
      "UPDATE schema_migrate_lock SET holder = NULL, until = NULL WHERE id = 1 AND holder = ?") \
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
    X(CRED_TENANT_BY_SECRET, \
      "SELECT c.secret_hash, c.scopes, c.group_id, " SQL_TENANT_COLS \
      "FROM credentials c JOIN tenants t ON t.id = c.tenant_id " \
      "LEFT JOIN tenants p ON p.id = t.parent_id " \
      "WHERE c.kind = ? AND c.secret_hash = ? AND " SQL_CRED_LIVE) \
    /* the newest live credentials of a public id, at most ? (rotation keeps fewer live) */ \
    X(CRED_TENANT_BY_PUBLIC, \
      "SELECT c.secret_hash, c.scopes, c.group_id, " SQL_TENANT_COLS \
      "FROM credentials c JOIN tenants t ON t.id = c.tenant_id " \
      "LEFT JOIN tenants p ON p.id = t.parent_id " \
      "WHERE c.kind = ? AND c.public_id = ? AND " SQL_CRED_LIVE "ORDER BY c.id DESC LIMIT ?") \
    X(CRED_TENANT_BY_PAIR, \
      "SELECT c.secret_hash, c.scopes, c.group_id, " SQL_TENANT_COLS \
      "FROM credentials c JOIN tenants t ON t.id = c.tenant_id " \
      "LEFT JOIN tenants p ON p.id = t.parent_id " \
      "WHERE c.kind = ? AND c.secret_hash = ? AND c.public_id = ? AND " SQL_CRED_LIVE) \
    /* rotation and revocation (lib/core/credentials.c) */ \
    X(CRED_LIST, "SELECT " SQL_CRED_COLS "FROM credentials c WHERE c.tenant_id = ? ORDER BY c.id") \
    X(CRED_BY_ID, "SELECT " SQL_CRED_COLS "FROM credentials c WHERE c.id = ?") \
    X(CRED_BY_ID_LOCK, "SELECT " SQL_CRED_COLS "FROM credentials c WHERE c.id = ? FOR UPDATE") \
    X(CRED_ID_BY_SECRET, \
      "SELECT c.id FROM credentials c WHERE c.kind = ? AND c.secret_hash = ?") \
    /* current: live and not already being replaced (no end set by a rotation) */ \
    X(CRED_PICK, \
      "SELECT c.id, " SQL_CRED_LIVE "AND c.expires_at IS NULL AS current, " SQL_CRED_LIVE \
      "AS live FROM credentials c WHERE c.tenant_id = ? AND c.kind = ? " \
      "ORDER BY current DESC, live DESC, c.id DESC LIMIT 2") \
    X(CRED_LIVE_PUBLIC_COUNT, \
      "SELECT COUNT(*) FROM credentials c WHERE c.kind = ? AND c.public_id = ? AND " \
      SQL_CRED_LIVE) \
    X(CRED_INSERT_REPLACEMENT, \
      "INSERT INTO credentials (tenant_id, kind, public_id, secret_hash, scopes, group_id, " \
      "replaces) VALUES (?, ?, ?, ?, ?, ?, ?)") \
    /* ends a live credential ? seconds from now, never later than it would have ended */ \
    X(CRED_EXPIRE, \
      "UPDATE credentials c SET c.expires_at = " \
      "IF(c.expires_at IS NOT NULL AND c.expires_at < NOW(6) + INTERVAL ? SECOND, " \
      "c.expires_at, NOW(6) + INTERVAL ? SECOND) WHERE c.id = ? AND " SQL_CRED_LIVE) \
    X(CRED_REVOKE_ID, \
      "UPDATE credentials c SET c.revoked_at = NOW(6) WHERE c.id = ? AND " SQL_CRED_LIVE) \
    /* the kinds of credential (lib/core/cred_kinds.c), in the order tenants get them */ \
    X(CRED_KINDS_LIST, "SELECT " SQL_CRED_KIND_COLS "FROM credential_kinds ORDER BY position") \
    X(CRED_KIND_GET, "SELECT " SQL_CRED_KIND_COLS "FROM credential_kinds WHERE kind = ?") \
    /* ---- catalogue: groups, workflows, regions, roles ---- */ \
    /* groups, workflows and tasks are shown by their number (base/pubid.h), looked up by it */ \
    X(GROUP_INSERT, \
      "INSERT INTO `groups` (tenant_id, code, name, number) VALUES (?, ?, ?, ?)") \
    X(GROUP_IN_TENANT, "SELECT id, number FROM `groups` WHERE number = ? AND tenant_id = ?") \
    X(GROUPS_BY_CODES, \
      "SELECT g.id, g.code FROM `groups` g JOIN " SQL_JSON_CODES " ON g.code = j.code " \
      "WHERE g.tenant_id = ?") \
    X(WORKFLOW_INSERT, "INSERT INTO workflows (tenant_id, name, number) VALUES (?, ?, ?)") \
    X(WORKFLOWS_BY_IDS, \
      "SELECT w.id FROM workflows w JOIN " SQL_JSON_IDS " ON w.number = j.id " \
      "WHERE w.tenant_id = ? ORDER BY w.id") \
    X(REGION_INSERT, "INSERT INTO regions (uuid, tenant_id, name) VALUES (?, ?, ?)") \
    X(ROLE_INSERT, "INSERT INTO roles (uuid, tenant_id, name) VALUES (?, ?, ?)") \
    X(ROLE_BUILTIN, "SELECT 1 FROM roles WHERE tenant_id IS NULL AND name = ?") \
    /* the group a credential is scoped to (credentials keep the internal id), with its number */ \
    X(GROUP_BY_ID, "SELECT id, number FROM `groups` WHERE id = ? AND tenant_id = ?") \
    /* ---- users ---- */ \
    X(USER_INSERT, \
      "INSERT INTO users (oid, tenant_id, username, email, first_name, last_name, full_name, " \
      "password_hash, status, profile, primary_group_id, origin, number) " \
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)") \
    X(USER_CONFLICT, \
      "SELECT IFNULL(username = ?, 0), email_norm = LOWER(?) FROM users " \
      "WHERE tenant_id = ? AND (username = ? OR email_norm = LOWER(?)) LIMIT 1") \
    X(USER_GROUPS_ADD, \
      "INSERT INTO user_groups (user_id, group_id) SELECT ?, g.id FROM `groups` g JOIN " \
      SQL_JSON_CODES " ON g.code = j.code WHERE g.tenant_id = ?") \
    X(USER_GROUP_ADD, "INSERT INTO user_groups (user_id, group_id) VALUES (?, ?)") \
    X(USER_WORKFLOWS_ADD, \
      "INSERT INTO user_workflows (user_id, workflow_id) SELECT ?, w.id FROM workflows w JOIN " \
      SQL_JSON_IDS " ON w.number = j.id WHERE w.tenant_id = ?") \
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
    /* ---- batched creation and updates (users_bulk, users_patch, refs), background tasks ---- */ \
    /* ---- and their status (keep this section's lines together) ---- */ \
    /* roles and regions of a tenant by name / id (lists as one JSON array) */ \
    X(REFS_ROLES_BY_NAMES, \
      "SELECT r.id, r.name FROM roles r JOIN JSON_TABLE(?, '$[*]' COLUMNS (" \
      "name VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin PATH '$' " \
      "ERROR ON ERROR)) AS j ON r.name = j.name WHERE r.scope IN (0, ?)") \
    X(REFS_REGIONS_BY_IDS, \
      "SELECT g.id, g.uuid FROM regions g JOIN JSON_TABLE(?, '$[*]' COLUMNS (" \
      "uuid CHAR(36) CHARACTER SET ascii COLLATE ascii_bin PATH '$' ERROR ON ERROR)) AS j " \
      "ON g.uuid = j.uuid WHERE g.tenant_id = ?") \
    /* batched creation: one statement per chunk; a duplicate email is a no-op row (the */ \
    /* unique index decides), so the statement never fails on a race */ \
    X(BULK_USERS_INSERT, \
      "INSERT INTO users (oid, tenant_id, email, first_name, last_name, status, origin) " \
      "SELECT j.oid, ?, j.email, j.fn, j.ln, j.st, ? FROM JSON_TABLE(?, '$[*]' COLUMNS (" \
      "oid CHAR(24) CHARACTER SET ascii COLLATE ascii_bin PATH '$.o' ERROR ON ERROR, " \
      "email VARCHAR(254) CHARACTER SET utf8mb4 PATH '$.e' ERROR ON ERROR, " \
      "fn VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.f' ERROR ON ERROR, " \
      "ln VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.l' ERROR ON ERROR, " \
      "st VARCHAR(16) CHARACTER SET ascii PATH '$.s' ERROR ON ERROR)) AS j " \
      "ON DUPLICATE KEY UPDATE id = id") \
    X(BULK_USERS_PRESENT, \
      "SELECT u.oid FROM JSON_TABLE(?, '$[*]' COLUMNS (" \
      "oid CHAR(24) CHARACTER SET ascii COLLATE ascii_bin PATH '$' ERROR ON ERROR)) AS j " \
      "STRAIGHT_JOIN users u ON u.oid = j.oid") \
    X(BULK_ROLES_ADD, \
      "INSERT INTO user_roles (user_id, role_id) SELECT u.id, j.rid FROM JSON_TABLE(?, " \
      "'$[*]' COLUMNS (oid CHAR(24) CHARACTER SET ascii COLLATE ascii_bin PATH '$.o' " \
      "ERROR ON ERROR, rid BIGINT UNSIGNED PATH '$.r' ERROR ON ERROR)) AS j " \
      "STRAIGHT_JOIN users u ON u.oid = j.oid") \
    X(BULK_REGIONS_ADD, \
      "INSERT INTO user_regions (user_id, region_id) SELECT u.id, j.rid FROM JSON_TABLE(?, " \
      "'$[*]' COLUMNS (oid CHAR(24) CHARACTER SET ascii COLLATE ascii_bin PATH '$.o' " \
      "ERROR ON ERROR, rid BIGINT UNSIGNED PATH '$.r' ERROR ON ERROR)) AS j " \
      "STRAIGHT_JOIN users u ON u.oid = j.oid") \
    X(BULK_RESOURCES_ADD, \
      "INSERT INTO resources (user_id, primary_region_id, is_active, resource_type, " \
      "employment_type, category, home_address, mobile_phone, country_code, " \
      "notification_type, working_hour_type, geo_latitude, geo_longitude, custom_fields) " \
      "SELECT u.id, j.rg, j.ia, j.rt, j.et, j.ca, j.ha, j.mp, j.cc, j.nt, j.wh, j.la, j.lo, " \
      "JSON_MERGE_PATCH('{}', j.cf) FROM JSON_TABLE(?, '$[*]' COLUMNS (" \
      "oid CHAR(24) CHARACTER SET ascii COLLATE ascii_bin PATH '$.o' ERROR ON ERROR, " \
      "rg BIGINT UNSIGNED PATH '$.rg' ERROR ON ERROR, ia TINYINT PATH '$.ia' ERROR ON ERROR, " \
      "rt VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.rt' ERROR ON ERROR, " \
      "et VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.et' ERROR ON ERROR, " \
      "ca VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.ca' ERROR ON ERROR, " \
      "ha VARCHAR(1024) CHARACTER SET utf8mb4 PATH '$.ha' ERROR ON ERROR, " \
      "mp VARCHAR(32) CHARACTER SET utf8mb4 PATH '$.mp' ERROR ON ERROR, " \
      "cc CHAR(2) CHARACTER SET ascii PATH '$.cc' ERROR ON ERROR, " \
      "nt VARCHAR(16) CHARACTER SET ascii PATH '$.nt' ERROR ON ERROR, " \
      "wh VARCHAR(16) CHARACTER SET ascii PATH '$.wh' ERROR ON ERROR, " \
      "la DOUBLE PATH '$.la' ERROR ON ERROR, lo DOUBLE PATH '$.lo' ERROR ON ERROR, " \
      "cf LONGTEXT CHARACTER SET utf8mb4 PATH '$.cf')) AS j " \
      "STRAIGHT_JOIN users u ON u.oid = j.oid") \
    X(BULK_TOKENS_ADD, \
      "INSERT INTO user_tokens (user_id, purpose, token_hash, expires_at) " \
      "SELECT u.id, ?, j.h, FROM_UNIXTIME(?) FROM JSON_TABLE(?, '$[*]' COLUMNS (" \
      "oid CHAR(24) CHARACTER SET ascii COLLATE ascii_bin PATH '$.o' ERROR ON ERROR, " \
      "h CHAR(64) CHARACTER SET ascii PATH '$.h' ERROR ON ERROR)) AS j " \
      "STRAIGHT_JOIN users u ON u.oid = j.oid") \
    X(BULK_OUTBOX_ADD, \
      "INSERT INTO mail_outbox (tenant_id, user_id, kind, recipient, recipient_name, subject, " \
      "body, has_secret, request_id) SELECT ?, u.id, ?, u.email, j.name, j.subj, j.body, ?, ? " \
      "FROM JSON_TABLE(?, '$[*]' " \
      "COLUMNS (oid CHAR(24) CHARACTER SET ascii COLLATE ascii_bin PATH '$.o' ERROR ON ERROR, " \
      "name VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.n', " \
      "subj VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.s' ERROR ON ERROR, " \
      "body MEDIUMTEXT CHARACTER SET utf8mb4 PATH '$.b' ERROR ON ERROR)) AS j " \
      "STRAIGHT_JOIN users u ON u.oid = j.oid") \
    /* updates keyed by user id: the rows are locked first, then changed set-wise; a key */ \
    /* absent from a JSON row leaves the column alone, a JSON null clears it */ \
    /* the resource and the Resource role are read by the same locking read as the user */ \
    /* row (joins, not a subquery): a subquery would read the snapshot of the statement's */ \
    /* start, from before a concurrent PATCH that this one waited for had committed */ \
    X(PATCH_USERS_LOCK, \
      "SELECT u.id, u.oid, u.email, u.managed, r.user_id IS NOT NULL, " \
      "ur.user_id IS NOT NULL FROM JSON_TABLE(?, '$[*]' COLUMNS (" \
      "oid CHAR(24) CHARACTER SET ascii COLLATE ascii_bin PATH '$' ERROR ON ERROR)) AS j " \
      "STRAIGHT_JOIN users u ON u.oid = j.oid LEFT JOIN resources r ON r.user_id = u.id " \
      "LEFT JOIN user_roles ur ON ur.user_id = u.id AND ur.role_id = (SELECT ro.id " \
      "FROM roles ro WHERE ro.scope = 0 AND ro.name = ?) " \
      "WHERE u.tenant_id = ? FOR UPDATE") \
    X(PATCH_USER_EMAIL, "UPDATE users SET email = ? WHERE id = ?") \
    X(PATCH_USERS_UPDATE, \
      "UPDATE JSON_TABLE(?, '$[*]' COLUMNS (uid BIGINT UNSIGNED PATH '$.i' ERROR ON ERROR, " \
      "sf INT EXISTS PATH '$.f', fn VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.f' " \
      "ERROR ON ERROR, sl INT EXISTS PATH '$.l', ln VARCHAR(255) CHARACTER SET utf8mb4 " \
      "PATH '$.l' ERROR ON ERROR, sm INT EXISTS PATH '$.m', m TINYINT PATH '$.m' " \
      "ERROR ON ERROR, sa INT EXISTS PATH '$.a', a TINYINT PATH '$.a' ERROR ON ERROR)) AS j " \
      "STRAIGHT_JOIN users u ON u.id = j.uid SET " \
      "u.first_name = IF(j.sf, j.fn, u.first_name), " \
      "u.last_name = IF(j.sl, j.ln, u.last_name), u.managed = IF(j.sm, j.m, u.managed), " \
      "u.status = CASE WHEN NOT j.sa THEN u.status WHEN NOT j.a THEN 'inactive' " \
      "WHEN u.status = 'inactive' THEN IF(u.password_hash IS NULL, 'pendingNew', 'active') " \
      "ELSE u.status END") \
    X(PATCH_ROLES_CLEAR, \
      "DELETE FROM user_roles WHERE user_id IN (SELECT j.uid FROM JSON_TABLE(?, '$[*]' " \
      "COLUMNS (uid BIGINT UNSIGNED PATH '$' ERROR ON ERROR)) AS j)") \
    X(PATCH_REGIONS_CLEAR, \
      "DELETE FROM user_regions WHERE user_id IN (SELECT j.uid FROM JSON_TABLE(?, '$[*]' " \
      "COLUMNS (uid BIGINT UNSIGNED PATH '$' ERROR ON ERROR)) AS j)") \
    X(PATCH_RESOURCES_UPDATE, \
      "UPDATE JSON_TABLE(?, '$[*]' COLUMNS (uid BIGINT UNSIGNED PATH '$.i' ERROR ON ERROR, " \
      "s_rg INT EXISTS PATH '$.rg', rg BIGINT UNSIGNED PATH '$.rg' ERROR ON ERROR, " \
      "s_ia INT EXISTS PATH '$.ia', ia TINYINT PATH '$.ia' ERROR ON ERROR, " \
      "s_rt INT EXISTS PATH '$.rt', " \
      "rt VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.rt' ERROR ON ERROR, " \
      "s_et INT EXISTS PATH '$.et', " \
      "et VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.et' ERROR ON ERROR, " \
      "s_ca INT EXISTS PATH '$.ca', " \
      "ca VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.ca' ERROR ON ERROR, " \
      "s_ha INT EXISTS PATH '$.ha', " \
      "ha VARCHAR(1024) CHARACTER SET utf8mb4 PATH '$.ha' ERROR ON ERROR, " \
      "s_mp INT EXISTS PATH '$.mp', " \
      "mp VARCHAR(32) CHARACTER SET utf8mb4 PATH '$.mp' ERROR ON ERROR, " \
      "s_cc INT EXISTS PATH '$.cc', cc CHAR(2) CHARACTER SET ascii PATH '$.cc' ERROR ON ERROR, " \
      "s_nt INT EXISTS PATH '$.nt', " \
      "nt VARCHAR(16) CHARACTER SET ascii PATH '$.nt' ERROR ON ERROR, " \
      "s_wh INT EXISTS PATH '$.wh', " \
      "wh VARCHAR(16) CHARACTER SET ascii PATH '$.wh' ERROR ON ERROR, " \
      "s_la INT EXISTS PATH '$.la', la DOUBLE PATH '$.la' ERROR ON ERROR, " \
      "s_lo INT EXISTS PATH '$.lo', lo DOUBLE PATH '$.lo' ERROR ON ERROR, " \
      "cf LONGTEXT CHARACTER SET utf8mb4 PATH '$.cf')) AS j " \
      "STRAIGHT_JOIN resources r ON r.user_id = j.uid SET " \
      "r.primary_region_id = IF(j.s_rg, j.rg, r.primary_region_id), " \
      "r.is_active = IF(j.s_ia, j.ia, r.is_active), " \
      "r.resource_type = IF(j.s_rt, j.rt, r.resource_type), " \
      "r.employment_type = IF(j.s_et, j.et, r.employment_type), " \
      "r.category = IF(j.s_ca, j.ca, r.category), " \
      "r.home_address = IF(j.s_ha, j.ha, r.home_address), " \
      "r.mobile_phone = IF(j.s_mp, j.mp, r.mobile_phone), " \
      "r.country_code = IF(j.s_cc, j.cc, r.country_code), " \
      "r.notification_type = IF(j.s_nt, j.nt, r.notification_type), " \
      "r.working_hour_type = IF(j.s_wh, j.wh, r.working_hour_type), " \
      "r.geo_latitude = IF(j.s_la, j.la, r.geo_latitude), " \
      "r.geo_longitude = IF(j.s_lo, j.lo, r.geo_longitude), " \
      "r.custom_fields = IF(j.cf IS NULL, r.custom_fields, " \
      "JSON_MERGE_PATCH(IFNULL(r.custom_fields, '{}'), j.cf))") \
    /* background tasks: a worker claims a task by naming itself in worker_id; every */ \
    /* batch re-asserts the claim (heartbeat) inside its own transaction */ \
    X(TASK_INSERT, "INSERT INTO tasks (tenant_id, type, total, number) VALUES (?, ?, ?, ?)") \
    X(TASK_ITEMS_INSERT, \
      "INSERT INTO task_items (task_id, seq, email, first_name, last_name, spec) " \
      "SELECT ?, j.seq, j.e, j.f, j.l, j.s FROM JSON_TABLE(?, '$[*]' COLUMNS (" \
      "seq INT UNSIGNED PATH '$.n' ERROR ON ERROR, " \
      "e TEXT CHARACTER SET utf8mb4 PATH '$.e' ERROR ON ERROR, " \
      "f TEXT CHARACTER SET utf8mb4 PATH '$.f' ERROR ON ERROR, " \
      "l TEXT CHARACTER SET utf8mb4 PATH '$.l' ERROR ON ERROR, " \
      "s LONGTEXT CHARACTER SET utf8mb4 PATH '$.s' ERROR ON ERROR)) AS j") \
    /* lib/core/task_queue.c: the next task for a free worker, fairly across tenants: among the */ \
    /* tenants with a task waiting (never claimed, or its worker's heartbeat older than ?), */ \
    /* the one with the fewest tasks running now, then the one served longest ago (a tenant */ \
    /* never served first), then the oldest task; that tenant's oldest waiting task. The */ \
    /* two per-tenant lookups read only the tenant's open tasks and its latest claim (0008's */ \
    /* indexes), never its finished tasks (1.2 ms a choice among 220 000 tasks; 37 ms with */ \
    /* MAX() and the optimiser's own choice of index) */ \
    X(TASK_NEXT, \
      "SELECT t.id, t.type, t.tenant_id FROM (SELECT tenant_id, MIN(id) AS id FROM tasks " \
      "WHERE completed_at IS NULL AND (worker_id IS NULL OR " \
      "COALESCE(last_checked_in_at, created_at) < NOW(6) - INTERVAL ? SECOND) " \
      "GROUP BY tenant_id) q STRAIGHT_JOIN tasks t ON t.id = q.id ORDER BY " \
      "(SELECT COUNT(*) FROM tasks r FORCE INDEX (ix_tasks_tenant_open) " \
      "WHERE r.tenant_id = q.tenant_id AND r.completed_at IS NULL AND " \
      "r.worker_id IS NOT NULL AND r.last_checked_in_at >= NOW(6) - INTERVAL ? SECOND), " \
      "(SELECT s.claimed_at FROM tasks s WHERE s.tenant_id = q.tenant_id " \
      "ORDER BY s.claimed_at DESC LIMIT 1), q.id LIMIT 1") \
    /* the claim itself, certified by the row it changes (affected rows 1: ours): it holds */ \
    /* only while the task is still waiting, or already ours (a retry of a claim whose */ \
    /* answer was lost), so two workers that chose the same task cannot both get it */ \
    X(TASK_CLAIM, \
      "UPDATE tasks SET worker_id = ?, claimed_at = NOW(6), last_checked_in_at = NOW(6), " \
      "beats = beats + 1 WHERE id = ? AND completed_at IS NULL AND (worker_id IS NULL OR " \
      "worker_id = ? OR COALESCE(last_checked_in_at, created_at) < NOW(6) - INTERVAL ? SECOND)") \
    X(TASK_WAITING, \
      "SELECT 1 FROM tasks WHERE completed_at IS NULL AND (worker_id IS NULL OR " \
      "COALESCE(last_checked_in_at, created_at) < NOW(6) - INTERVAL ? SECOND) LIMIT 1") \
    X(TASK_BEAT, \
      "UPDATE tasks SET last_checked_in_at = NOW(6), beats = beats + 1 " \
      "WHERE id = ? AND worker_id = ? AND completed_at IS NULL") \
    X(TASK_ITEMS_TODO, \
      "SELECT seq, spec FROM task_items WHERE task_id = ? AND done = 0 ORDER BY seq LIMIT ?") \
    X(TASK_ITEMS_MARK, \
      "UPDATE JSON_TABLE(?, '$[*]' COLUMNS (seq INT UNSIGNED PATH '$.n' ERROR ON ERROR, " \
      "ok TINYINT PATH '$.k' ERROR ON ERROR, " \
      "err VARCHAR(1024) CHARACTER SET utf8mb4 PATH '$.m' ERROR ON ERROR, " \
      "oid CHAR(24) CHARACTER SET ascii COLLATE ascii_bin PATH '$.o' ERROR ON ERROR)) AS j " \
      "STRAIGHT_JOIN task_items ti ON ti.task_id = ? AND ti.seq = j.seq " \
      "SET ti.done = 1, ti.success = j.ok, ti.error_msg = j.err, ti.user_oid = j.oid") \
    X(TASK_ITEMS_COUNT, \
      "SELECT COUNT(*), COALESCE(SUM(success = 0), 0) FROM task_items WHERE task_id = ?") \
    X(TASK_COMPLETE, \
      "UPDATE tasks SET completed_at = NOW(6), last_checked_in_at = NOW(6), " \
      "beats = beats + 1, success = ?, error_msg = ? WHERE id = ? AND worker_id = ?") \
    X(TASK_GET, \
      "SELECT t.id, t.type, k.sk_tenant_id, " \
      "DATE_FORMAT(t.created_at, '%Y-%m-%dT%H:%i:%s.%fZ'), " \
      "DATE_FORMAT(t.last_checked_in_at, '%Y-%m-%dT%H:%i:%s.%fZ'), " \
      "DATE_FORMAT(t.completed_at, '%Y-%m-%dT%H:%i:%s.%fZ'), t.success, t.error_msg, " \
      "t.number FROM tasks t JOIN tenants k ON k.id = t.tenant_id " \
      "WHERE t.number = ? AND t.tenant_id = ?") \
    X(TASK_TENANT, "SELECT tenant_id FROM tasks WHERE id = ?") \
    X(TASK_ITEMS_LIST, \
      "SELECT email, first_name, last_name, success, error_msg, user_oid FROM task_items " \
      "WHERE task_id = ? ORDER BY seq") \
    /* ---- user batches: creations, updates and deletions by username (users_batch) ---- */ \
    /* lib/core/users_batch.c: one statement per step whatever the batch size; each list is one */ \
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
      "u.status = CASE WHEN j.status = 'inactive' THEN 'inactive' " \
      "WHEN j.status = 'active' THEN IF(u.status = 'active' OR " \
      "COALESCE(j.password_hash, u.password_hash) IS NOT NULL, 'active', 'pendingNew') " \
      "WHEN j.password_hash IS NOT NULL AND u.status = 'pendingNew' THEN 'active' " \
      "ELSE u.status END, u.locked = COALESCE(j.locked, u.locked) " \
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
    /* ---- invitations into a sub-tenant (invites) ---- */ \
    /* a user of main tenant ? or of one of its sub-tenants, by oid */ \
    X(INVITE_USER_BY_OID, \
      "SELECT u.id, u.oid, u.tenant_id, u.email, u.first_name, u.full_name FROM users u " \
      "JOIN tenants t ON t.id = u.tenant_id " \
      "WHERE u.oid = ? AND (t.id = ? OR t.parent_id = ?)") \
    /* the same by a login (username or email, either column matching); where several users \
     * of the tenancy match: the main tenant's own first, then the inviting tenant's, then \
     * the one matching in the column the value was given for, then the oldest. The two \
     * halves of the UNION are one unique-index lookup per tenant of the tenancy each (one OR \
     * over both columns had the server read every user of the main tenant: 1 s at 400 000) */ \
    X(INVITE_USER_BY_LOGIN, \
      "SELECT u.id, u.oid, u.tenant_id, u.email, u.first_name, u.full_name FROM (" \
      "SELECT n.id FROM tenants t JOIN users n ON n.tenant_id = t.id AND n.username = ? " \
      "WHERE t.id = ? OR t.parent_id = ? UNION " \
      "SELECT e.id FROM tenants t JOIN users e ON e.tenant_id = t.id " \
      "AND e.email_norm = LOWER(?) WHERE t.id = ? OR t.parent_id = ?) AS m " \
      "JOIN users u ON u.id = m.id " \
      "ORDER BY u.tenant_id = ? DESC, u.tenant_id = ? DESC, " \
      "IF(?, u.email_norm = LOWER(?), IFNULL(u.username = ?, 0)) DESC, u.id LIMIT 1") \
    X(INVITE_MEMBERSHIP_ADD, "INSERT INTO memberships (user_id, tenant_id) VALUES (?, ?)") \
    /* ---- password rules: a tenant's choice for its APIs (its own, and in effect) ---- */ \
    X(TENANT_PASSWORD_DICTIONARY, \
      "SELECT t.password_dictionary, t.password_dictionary OR IFNULL(p.password_dictionary, 0) " \
      "FROM tenants t LEFT JOIN tenants p ON p.id = t.parent_id WHERE t.id = ?") \
    X(TENANT_SET_PASSWORD_DICTIONARY, "UPDATE tenants SET password_dictionary = ? WHERE id = ?") \
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
    /* the next due mail (a plain read: the claim below decides who sends it) */ \
    X(OUTBOX_CLAIM, \
      "SELECT id, tenant_id, kind, recipient, recipient_name, subject, body, attempts, " \
      "message_key FROM mail_outbox WHERE status = 'pending' " \
      "AND next_attempt_at <= NOW(6) ORDER BY next_attempt_at, id LIMIT 1") \
    X(OUTBOX_CLAIM_TENANT, \
      "SELECT id, tenant_id, kind, recipient, recipient_name, subject, body, attempts, " \
      "message_key FROM mail_outbox WHERE status = 'pending' " \
      "AND next_attempt_at <= NOW(6) AND tenant_id = ? ORDER BY next_attempt_at, id LIMIT 1") \
    X(OUTBOX_CLAIM_REQUEST, \
      "SELECT id, tenant_id, kind, recipient, recipient_name, subject, body, attempts, " \
      "message_key FROM mail_outbox WHERE request_id = ? AND status = 'pending' " \
      "AND next_attempt_at <= NOW(6) ORDER BY id LIMIT 1") \
    /* the claim, certified by the row it changes (affected rows 1: ours): the row is still */ \
    /* due (or already ours: a claim run again after its answer was lost), and is not due */ \
    /* again for ? seconds (the longest a send may take, then the lease ends and another */ \
    /* deliverer may send it: at least once) */ \
    X(OUTBOX_TAKE, \
      "UPDATE mail_outbox SET claimed_by = ?, next_attempt_at = NOW(6) + INTERVAL ? SECOND " \
      "WHERE id = ? AND status = 'pending' AND (next_attempt_at <= NOW(6) OR claimed_by = ?)") \
    X(OUTBOX_MARK_SENT, \
      "UPDATE mail_outbox SET status = 'sent', sent_at = NOW(6), attempts = attempts + 1, " \
      "last_error = NULL, body = IF(has_secret, '', body) WHERE id = ? AND claimed_by = ?") \
    X(OUTBOX_MARK_RETRY, \
      "UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?, " \
      "next_attempt_at = NOW(6) + INTERVAL ? SECOND WHERE id = ? AND claimed_by = ?") \
    X(OUTBOX_MARK_DEAD, \
      "UPDATE mail_outbox SET status = 'dead', attempts = attempts + 1, last_error = ?, " \
      "body = IF(has_secret, '', body) WHERE id = ? AND claimed_by = ?") \
    X(SETPW_TOKEN_INFO, \
      "SELECT k.user_id, k.used_at IS NOT NULL, k.expires_at <= NOW(6), u.email, " \
      "COALESCE(u.first_name, u.full_name), u.username " \
      "FROM user_tokens k JOIN users u ON u.id = k.user_id " \
      "WHERE k.token_hash = ? AND k.purpose = 'set_password'") \
    X(SETPW_TOKEN_SPEND, \
      "UPDATE user_tokens SET used_at = NOW(6) WHERE token_hash = ? AND purpose = 'set_password' " \
      "AND used_at IS NULL AND expires_at > NOW(6)") \
    /* an account an administrator deactivated stays inactive: its password is set, and it */ \
    /* becomes active when it is activated again */ \
    X(SETPW_USER_ACTIVATE, \
      "UPDATE users SET password_hash = ?, " \
      "status = IF(status = 'inactive', 'inactive', 'active') WHERE id = ?") \
    X(SETPW_USER_STATUS, "SELECT status FROM users WHERE id = ?") \
    /* ---- retiring what an account change takes back (lib/core/users_retire.c) ---- */ \
    /* users (ids) waiting for their first password with a set-password link still usable */ \
    X(RETIRE_WAITING, \
      "SELECT u.id, u.oid, u.email, COALESCE(u.first_name, u.full_name) FROM JSON_TABLE(?, " \
      "'$[*]' COLUMNS (id BIGINT UNSIGNED PATH '$' ERROR ON ERROR)) AS j " \
      "STRAIGHT_JOIN users u FORCE INDEX (PRIMARY) ON u.id = j.id " \
      "WHERE u.status = 'pendingNew' AND u.password_hash IS NULL AND EXISTS (SELECT 1 " \
      "FROM user_tokens k WHERE k.user_id = u.id AND k.purpose = 'set_password' " \
      "AND k.used_at IS NULL AND k.expires_at > NOW(6)) ORDER BY u.id") \
    /* every unused link of the users (any purpose but login), and their login tokens too */ \
    /* when the second parameter is 1 */ \
    X(RETIRE_TOKENS, \
      "UPDATE JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT UNSIGNED PATH '$' ERROR ON ERROR)) AS j " \
      "STRAIGHT_JOIN user_tokens k FORCE INDEX (ix_user_tokens_user) ON k.user_id = j.id " \
      "SET k.used_at = NOW(6) WHERE k.used_at IS NULL AND (k.purpose <> 'login' OR ?)") \
    /* the users' pending mail, by scope: 'all', 'secret' (has_secret) or 'links' (the kinds */ \
    /* that offer to set a password); a mail already claimed and being sent goes out */ \
    X(RETIRE_MAIL, \
      "UPDATE JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT UNSIGNED PATH '$' ERROR ON ERROR)) AS j " \
      "STRAIGHT_JOIN mail_outbox m FORCE INDEX (ix_mail_outbox_user) ON m.user_id = j.id " \
      "SET m.status = 'dead', m.last_error = ?, m.body = IF(m.has_secret, '', m.body) " \
      "WHERE m.status = 'pending' AND CASE ? WHEN 'all' THEN 1 " \
      "WHEN 'secret' THEN m.has_secret = 1 " \
      "WHEN 'links' THEN m.kind IN ('set_password', 'invitation', 'password_reset') " \
      "ELSE 0 END") \
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
