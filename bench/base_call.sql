-- base_call.sql: the stored procedure of baseline (e) (bench/base_call.c), loaded by
-- bench/run.sh into the bench stack's database only; never part of the service's schema.
-- It runs baseline (d)'s statements (the credential lookup, then the user, its set-password
-- token and its queued mail in one transaction) inside the server, so that one CALL is the
-- only round trip: the most any client-side restructuring of add_user could save.
-- (Loaded with the mariadb client, which reads the DELIMITER lines. The parameters carry the
-- columns' character sets, so that the lookup compares like with like, as a bound value does.)
DELIMITER //
CREATE OR REPLACE PROCEDURE bench_add_user(
  p_kind VARCHAR(16) CHARACTER SET ascii,
  p_secret_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin,
  p_oid CHAR(24) CHARACTER SET ascii COLLATE ascii_bin, p_username VARCHAR(64),
  p_email VARCHAR(254), p_token_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin,
  p_expires BIGINT, p_body TEXT, p_rid CHAR(16) CHARACTER SET ascii COLLATE ascii_bin)
BEGIN
  DECLARE v_tenant BIGINT UNSIGNED;
  DECLARE v_user BIGINT UNSIGNED;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;
  SELECT t.id INTO v_tenant FROM credentials c JOIN tenants t ON t.id = c.tenant_id
    WHERE c.kind = p_kind AND c.secret_hash = p_secret_hash AND c.revoked_at IS NULL;
  IF v_tenant IS NULL THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'bench: unknown key';
  END IF;
  START TRANSACTION;
  INSERT INTO users (oid, tenant_id, username, email, first_name, last_name, status, origin)
    VALUES (p_oid, v_tenant, p_username, p_email, 'Bench', 'User', 'pendingNew', 'soajs');
  SET v_user = LAST_INSERT_ID();
  INSERT INTO user_tokens (user_id, purpose, token_hash, expires_at)
    VALUES (v_user, 'set_password', p_token_hash, FROM_UNIXTIME(p_expires));
  INSERT INTO mail_outbox (tenant_id, user_id, kind, recipient, recipient_name, subject, body,
                           has_secret, request_id)
    VALUES (v_tenant, v_user, 'set_password', p_email, 'Bench', 'Set your password', p_body, 1,
            p_rid);
  COMMIT;
END //
DELIMITER ;
