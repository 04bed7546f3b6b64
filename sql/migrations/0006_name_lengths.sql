-- 0006_name_lengths: names may be as long as any string field the API accepts (docs/CONTRACT.md
-- section 2: 1 024 bytes), so a long but valid name is stored instead of failing as "too long for
-- the column". Indexed identifiers (username, email) keep their shorter, validated bounds.
ALTER TABLE users
  MODIFY first_name VARCHAR(1024) NULL,
  MODIFY last_name VARCHAR(1024) NULL,
  MODIFY full_name VARCHAR(1024) NULL;
