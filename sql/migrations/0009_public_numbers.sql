-- 0009_public_numbers: the integer ids a tenant is shown become numbers of that tenant alone
-- (lib/base/pubid.h; docs/SECURITY.md, "Hardening II: answers and ids"). Until now Xtracta
-- user_id, group and workflow ids and Skedulo taskId were the global AUTO_INCREMENT ids, so
-- the gap between two of a tenant's own ids counted what every other tenant had created.
-- Each of these tables gets a number, unique per tenant, which is the only thing an exposed
-- id is ever looked up by (foreign keys keep the internal id):
--   - every existing row keeps its id as its number, so every id shown before this migration
--     still names the same object for its tenant;
--   - new rows get a random number from [2^32, 2^53), drawn by the service (never a database
--     counter): no lock, no hot row, nothing in common between tenants, and never equal to an
--     id from before (those are below 2^32).
-- users.number stays NULL for users created in batches (Skedulo POST and imports,
-- ServicePower): those dialects show a string id (oid, UserID) and never this number.
-- Run it before the new executables start: old executables cannot insert groups, workflows
-- or tasks once their number is required.

ALTER TABLE users ADD COLUMN number BIGINT UNSIGNED NULL AFTER oid;
-- updated_at named explicitly keeps its value (ON UPDATE would stamp every user as changed)
UPDATE users SET number = id, updated_at = updated_at;
ALTER TABLE users ADD UNIQUE KEY uq_users_number (tenant_id, number);

ALTER TABLE `groups` ADD COLUMN number BIGINT UNSIGNED NULL AFTER id;
UPDATE `groups` SET number = id;
ALTER TABLE `groups` MODIFY number BIGINT UNSIGNED NOT NULL,
  ADD UNIQUE KEY uq_groups_number (tenant_id, number);

ALTER TABLE workflows ADD COLUMN number BIGINT UNSIGNED NULL AFTER id;
UPDATE workflows SET number = id;
ALTER TABLE workflows MODIFY number BIGINT UNSIGNED NOT NULL,
  ADD UNIQUE KEY uq_workflows_number (tenant_id, number);

ALTER TABLE tasks ADD COLUMN number BIGINT UNSIGNED NULL AFTER id;
UPDATE tasks SET number = id;
ALTER TABLE tasks MODIFY number BIGINT UNSIGNED NOT NULL,
  ADD UNIQUE KEY uq_tasks_number (tenant_id, number);
